import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import Dockerode from 'dockerode';
import { beforeAll, describe, expect, it } from 'vitest';
import { DockerSandboxProvider, PID_LABEL } from '../../../src/sandbox/index.js';
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

  it("clean --run-id removes the containers of that run whose owner is dead, and keeps a live run's", async () => {
    const runId = `cli-clean-${randomUUID().slice(0, 8)}`;
    const other = `${runId}-other`;
    const dead = String(await deadPid());
    const spec = (run: string, labels: Record<string, string> = {}) => ({
      image: baseTag,
      workdir: '/workspace',
      files: [],
      labels: { 'turnbench.run': run, ...labels },
      limits: { memoryMb: 128, cpus: 0.5, pids: 32 },
      network: false,
    });
    await provider.create(spec(runId, { [PID_LABEL]: dead }));
    await provider.create(spec(runId, { [PID_LABEL]: dead }));
    const live = await provider.create(spec(runId)); // owned by this test process, which is alive
    // another run's live container: no clean of this run touches it, not even --force
    const kept = await provider.create(spec(other));
    try {
      const r = await runCli(['clean', '--run-id', runId]);
      expect(r.code).toBe(0);
      // Any turnbench run on this machine reaps dead owners' containers at its start, and other
      // test files run at the same time: the two orphans may be gone before clean gets to them.
      const [removedLine, keptLine] = r.stdout.split('\n');
      expect(removedLine).toMatch(new RegExp(`^removed [0-2] containers? of run ${runId}$`));
      expect(keptLine).toBe('kept 1 container (1 of live runs); --force removes them too');
      const left = await docker.listContainers({ all: true, filters: { label: [`turnbench.run=${runId}`] } });
      expect(left.map((c) => c.Id)).toEqual([live.id]);
      const forced = await runCli(['clean', '--run-id', runId, '--force']);
      expect(forced.stdout).toBe(`removed 1 container of run ${runId}\n`);
      await expect(docker.getContainer(kept.id).inspect()).resolves.toBeTruthy();
      const again = await runCli(['clean', '--run-id', runId]);
      expect(again.stdout).toBe(`removed 0 containers of run ${runId}\n`);
    } finally {
      await Promise.all([live.destroy(), kept.destroy()]);
    }
  });
});

/** The pid of a process that has run and exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  if (!child.pid) throw new Error('spawn gave no pid');
  return child.pid;
}
