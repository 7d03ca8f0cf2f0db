import type { SandboxProvider } from '../sandbox/index.js';
import type { LoadedSuite } from '../tasks/index.js';

/**
 * Agent runs bind-mount host paths (the proxy's socket folder, the agent's binary) into their
 * containers, so every engine must run on this machine: the docker sandbox, through unix sockets.
 * Returns what is wrong, or null.
 */
export function agentEngineProblem(
  suite: LoadedSuite,
  sandboxes: SandboxProvider,
  env: NodeJS.ProcessEnv,
): string | null {
  if (sandboxes.kind !== 'docker') {
    return 'agent runs need the docker sandbox engine (the agent runs inside the container)';
  }
  const engines = suite.spec.sandbox.engines;
  const remote = engines
    ? engines.find((e) => !e.host.startsWith('unix://'))?.host
    : env.DOCKER_HOST && !env.DOCKER_HOST.startsWith('unix://')
      ? env.DOCKER_HOST
      : undefined;
  if (remote) {
    return `agent runs need Docker engines on this machine (unix:// sockets): the proxy's socket and the agent's binary are mounted from here, and ${remote} is not one`;
  }
  return null;
}
