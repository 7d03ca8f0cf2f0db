import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { hostname } from 'node:os';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DockerSandboxProvider,
  HOST_LABEL,
  LocalSandboxProvider,
  MultiEngineProvider,
  PID_LABEL,
  PID_START_LABEL,
  processAlive,
  processStartTime,
  RUN_LABEL,
  reapOrphans,
  type SandboxProvider,
  type SandboxSpec,
} from '../../../src/sandbox/index.js';
import { dockerTestsEnabled } from './docker-engine.js';

const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const enabled = await dockerTestsEnabled(docker);
const single = new DockerSandboxProvider({ docker });
const runId = `reap-${randomUUID().slice(0, 8)}`;
let image = '';

/** The pid of a process that has run and exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  if (!child.pid) throw new Error('spawn gave no pid');
  return child.pid;
}

function spec(labels: Record<string, string>): SandboxSpec {
  return {
    image,
    workdir: '/workspace',
    files: [],
    labels: { [RUN_LABEL]: runId, ...labels },
    limits: { memoryMb: 128, cpus: 0.5, pids: 32 },
    network: false,
  };
}

async function exists(id: string): Promise<boolean> {
  return docker
    .getContainer(id)
    .inspect()
    .then(
      () => true,
      () => false,
    );
}

describe('processAlive', () => {
  it('tells a running process from one that has exited', async () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(await deadPid())).toBe(false);
  });
});

describe.skipIf(!enabled)('reapOrphans against the real engine', () => {
  beforeAll(async () => {
    image = await single.ensureImage({ kind: 'base' });
  });

  afterAll(async () => {
    await single.removeByLabels({ [RUN_LABEL]: runId });
  });

  it('labels every container with the host and pid that created it', async () => {
    const box = await single.create(spec({}));
    try {
      const labels = (await docker.getContainer(box.id).inspect()).Config.Labels;
      expect(labels[HOST_LABEL]).toBe(hostname());
      expect(labels[PID_LABEL]).toBe(String(process.pid));
    } finally {
      await box.destroy();
    }
  });

  // A made-up host name keeps these tests away from other people's containers on a shared engine.
  const multi = () =>
    new MultiEngineProvider([
      { name: 'a', provider: new DockerSandboxProvider({ docker }), max: 4 },
      { name: 'b', provider: new DockerSandboxProvider({ docker }), max: 4 },
    ]);
  it.each([
    ['a single engine', () => single],
    ['two entries for one engine', multi],
  ])('removes the containers of dead runs on this host only (%s)', async (_, providerFor) => {
    const provider: SandboxProvider = providerFor();
    const host = `reap-test-${randomUUID().slice(0, 8)}`;
    const dead = String(await deadPid());
    const orphan1 = await provider.create(spec({ [HOST_LABEL]: host, [PID_LABEL]: dead }));
    const orphan2 = await provider.create(spec({ [HOST_LABEL]: host, [PID_LABEL]: dead }));
    const live = await provider.create(spec({ [HOST_LABEL]: host }));
    const elsewhere = await provider.create(spec({ [HOST_LABEL]: `${host}-other`, [PID_LABEL]: dead }));
    const noPid = await provider.create(spec({ [HOST_LABEL]: host, [PID_LABEL]: '' }));
    try {
      expect(await reapOrphans(provider, { host })).toBe(2);
      expect(await exists(orphan1.id)).toBe(false);
      expect(await exists(orphan2.id)).toBe(false);
      expect(await exists(live.id)).toBe(true);
      expect(await exists(elsewhere.id)).toBe(true);
      expect(await exists(noPid.id)).toBe(true);
      expect(await reapOrphans(provider, { host })).toBe(0);
    } finally {
      await Promise.all([orphan1, orphan2, live, elsewhere, noPid].map((b) => b.destroy()));
    }
  });

  it('treats a pid now held by a later process as dead (pid reuse), by its start time', async () => {
    const host = `reap-test-${randomUUID().slice(0, 8)}`;
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const pid = String(sleeper.pid);
      const start = processStartTime(Number(pid));
      expect(start).toMatch(/^[0-9]+$/);
      const reused = await single.create(
        spec({ [HOST_LABEL]: host, [PID_LABEL]: pid, [PID_START_LABEL]: '1' }),
      );
      const owned = await single.create(
        spec({ [HOST_LABEL]: host, [PID_LABEL]: pid, [PID_START_LABEL]: start! }),
      );
      try {
        expect(await reapOrphans(single, { host })).toBe(1);
        expect(await exists(reused.id)).toBe(false);
        expect(await exists(owned.id)).toBe(true);
      } finally {
        await Promise.all([reused.destroy(), owned.destroy()]);
      }
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('asks isAlive about each pid once and never about its own', async () => {
    const host = `reap-test-${randomUUID().slice(0, 8)}`;
    const boxes = await Promise.all([
      single.create(spec({ [HOST_LABEL]: host, [PID_LABEL]: '4000001' })),
      single.create(spec({ [HOST_LABEL]: host, [PID_LABEL]: '4000001' })),
      single.create(spec({ [HOST_LABEL]: host, [PID_LABEL]: '4000002' })),
      single.create(spec({ [HOST_LABEL]: host })),
    ]);
    const asked: number[] = [];
    try {
      const removed = await reapOrphans(single, {
        host,
        isAlive: ({ pid }) => {
          asked.push(pid);
          return pid === 4000002;
        },
      });
      expect(removed).toBe(2);
      expect(asked.sort()).toEqual([4000001, 4000002]);
      expect(await Promise.all(boxes.map((b) => exists(b.id)))).toEqual([false, false, true, true]);
    } finally {
      await Promise.all(boxes.map((b) => b.destroy()));
    }
  });
});

describe('reapOrphans on a provider that cannot list', () => {
  it('removes nothing', async () => {
    expect(await reapOrphans(new LocalSandboxProvider())).toBe(0);
  });
});
