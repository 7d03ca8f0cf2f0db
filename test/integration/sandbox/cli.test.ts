import { randomUUID } from 'node:crypto';
import Dockerode from 'dockerode';
import { beforeAll, describe, expect, it } from 'vitest';
import { DockerSandboxProvider } from '../../../src/sandbox/index.js';
import { assertBuilt, runCli } from '../cli/helpers.js';
import { dockerTestsEnabled } from './docker-engine.js';

const docker = new Dockerode();
const enabled = await dockerTestsEnabled(docker);

describe.skipIf(!enabled)('turnbench images / clean', () => {
  const provider = new DockerSandboxProvider({ docker });
  let baseTag = '';

  beforeAll(async () => {
    assertBuilt();
    baseTag = await provider.ensureImage({ kind: 'base' });
  });

  it('images build reports the existing base image without rebuilding it', async () => {
    const before = await docker.getImage(baseTag).inspect();
    const r = await runCli(['images', 'build']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${baseTag}\n`);
    expect((await docker.getImage(baseTag).inspect()).Id).toBe(before.Id);
  });

  it('images list shows the base image under both tags', async () => {
    const text = await runCli(['images', 'list']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(baseTag);
    expect(text.stdout).toContain('turnbench/base:latest');
    const json = await runCli(['images', 'list', '--json']);
    const list = JSON.parse(json.stdout) as Array<{ tag: string; id: string }>;
    const ids = new Set(
      list.filter((i) => i.tag === baseTag || i.tag === 'turnbench/base:latest').map((i) => i.id),
    );
    expect(ids.size).toBe(1);
  });

  it('clean --run-id removes the containers of that run only', async () => {
    const runId = `cli-clean-${randomUUID().slice(0, 8)}`;
    const other = `${runId}-other`;
    const spec = (run: string) => ({
      image: baseTag,
      workdir: '/workspace',
      files: [],
      labels: { 'turnbench.run': run },
      limits: { memoryMb: 128, cpus: 0.5, pids: 32 },
      network: false,
    });
    await provider.create(spec(runId));
    await provider.create(spec(runId));
    const kept = await provider.create(spec(other));
    try {
      const r = await runCli(['clean', '--run-id', runId]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`removed 2 containers of run ${runId}\n`);
      const left = await docker.listContainers({ all: true, filters: { label: [`turnbench.run=${runId}`] } });
      expect(left).toHaveLength(0);
      const again = await runCli(['clean', '--run-id', runId]);
      expect(again.stdout).toBe(`removed 0 containers of run ${runId}\n`);
      await expect(docker.getContainer(kept.id).inspect()).resolves.toBeTruthy();
    } finally {
      await kept.destroy();
    }
  });
});
