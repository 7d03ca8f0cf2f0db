// A manual check, not part of `npm test` (CI has no second Docker engine). Run it with
//   TURNBENCH_SECOND_ENGINE=unix:///tmp/d2.sock npx vitest run --config vitest.manual.config.ts
import { randomUUID } from 'node:crypto';
import Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import {
  DockerSandboxProvider,
  dockerClientFor,
  type SandboxSpec,
  sandboxProviderFor,
} from '../../src/sandbox/index.js';

const SOCKET = 'unix:///var/run/docker.sock';
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const runId = `second-${randomUUID().slice(0, 8)}`;
let image = '';

function spec(sample: string): SandboxSpec {
  return {
    image,
    workdir: '/workspace',
    files: [{ path: 'where.txt', content: `${sample}\n` }],
    labels: { 'turnbench.run': runId, 'turnbench.sample': sample },
    limits: { memoryMb: 128, cpus: 0.5, pids: 32 },
    network: false,
  };
}

/**
 * Copying images between two different daemons needs a second engine, which CI does not start:
 * set TURNBENCH_SECOND_ENGINE (e.g. unix:///tmp/d2.sock for a dockerd with its own --data-root,
 * --exec-root and --pidfile). Do not give a second daemon on the same host `--bridge=none`: at
 * start it deletes the docker0 interface the first daemon's containers and builds need.
 */
const second = process.env.TURNBENCH_SECOND_ENGINE;
describe('MultiEngineProvider with a second, separate engine', () => {
  it('copies the base image to the engine lacking it and runs sandboxes on both', async () => {
    const provider = await sandboxProviderFor({
      engine: 'docker',
      engines: [
        { host: SOCKET, max: 1, name: 'local' },
        { host: second ?? '', max: 1, name: 'second' },
      ],
    });
    const secondDocker = dockerClientFor({ host: second ?? '', max: 1 });
    const tag = await new DockerSandboxProvider({ docker }).ensureImage({ kind: 'base' });
    await secondDocker
      .getImage(tag)
      .remove({ force: true })
      .catch(() => {});
    const lines: string[] = [];
    expect(await provider.ensureImage({ kind: 'base' }, (l) => lines.push(l))).toBe(tag);
    expect(lines).toContain(`[second] copying ${tag} from engine local`);
    const [here, there] = await Promise.all([
      docker.getImage(tag).inspect(),
      secondDocker.getImage(tag).inspect(),
    ]);
    expect(there.Id).toBe(here.Id);
    expect((await secondDocker.getImage('turnbench/base:latest').inspect()).Id).toBe(here.Id);

    image = tag;
    const boxes = await Promise.all([provider.create(spec('x')), provider.create(spec('y'))]);
    try {
      expect(boxes.map((b) => b.engine).sort()).toEqual(['local', 'second']);
      for (const b of boxes)
        expect((await b.exec(['cat', 'where.txt'], { timeoutMs: 10_000 })).exitCode).toBe(0);
      expect(await provider.removeByLabels({ 'turnbench.run': runId })).toBe(2);
    } finally {
      await Promise.all(boxes.map((b) => b.destroy()));
    }
  });
});
