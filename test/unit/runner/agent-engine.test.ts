import { describe, expect, it } from 'vitest';
import { SuiteSchema } from '../../../src/config/index.js';
import { agentEngineProblem } from '../../../src/runner/agent-engine.js';
import type { SandboxProvider } from '../../../src/sandbox/index.js';
import type { LoadedSuite } from '../../../src/tasks/index.js';

const suite = (sandbox: Record<string, unknown> = {}) =>
  ({
    spec: SuiteSchema.parse({ name: 's', tasks: ['x'], variants: [{ name: 'c', agent: 'codex' }], sandbox }),
  }) as unknown as LoadedSuite;
const docker = { kind: 'docker' } as SandboxProvider;

describe('where agent runs can go', () => {
  it('needs the docker sandbox: the agent runs in the container', () => {
    expect(agentEngineProblem(suite(), { kind: 'local' } as SandboxProvider, {})).toMatch(
      /docker sandbox engine/,
    );
    expect(agentEngineProblem(suite(), docker, {})).toBeNull();
  });

  it('needs every engine on this machine: the proxy socket and the binary are mounted from here', () => {
    expect(agentEngineProblem(suite(), docker, { DOCKER_HOST: 'tcp://10.0.0.5:2376' })).toMatch(
      /tcp:\/\/10\.0\.0\.5/,
    );
    expect(agentEngineProblem(suite(), docker, { DOCKER_HOST: 'unix:///var/run/docker.sock' })).toBeNull();
    const engines = [
      { host: 'unix:///var/run/docker.sock', max: 2 },
      { host: 'ssh://ci@build-2', max: 2 },
    ];
    expect(agentEngineProblem(suite({ engines }), docker, {})).toMatch(/ssh:\/\/ci@build-2 is not one/);
  });
});
