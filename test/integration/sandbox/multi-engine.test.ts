import { randomUUID } from 'node:crypto';
import { type AddressInfo, connect, createServer } from 'node:net';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DockerSandboxProvider,
  MultiEngineProvider,
  type Sandbox,
  type SandboxSpec,
  sandboxProviderFor,
} from '../../../src/sandbox/index.js';
import { dockerTestsEnabled } from './docker-engine.js';

const SOCKET = 'unix:///var/run/docker.sock';
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const enabled = await dockerTestsEnabled(docker);

/**
 * A tcp:// engine for the test: a loopback TCP listener relaying bytes to the local engine's
 * socket, so the tcp code path (dockerode over HTTP) runs against the real engine in every CI run
 * without reconfiguring dockerd.
 */
function startTcpRelay(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((client) => {
    const engine = connect('/var/run/docker.sock');
    client.pipe(engine).pipe(client);
    const end = () => {
      client.destroy();
      engine.destroy();
    };
    client.on('error', end);
    engine.on('error', end);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `tcp://127.0.0.1:${port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

const runId = `multi-${randomUUID().slice(0, 8)}`;
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

/** Two entries for the same local engine: "one" may run 1 container, "two" may run 2. */
async function twoEngines(): Promise<MultiEngineProvider> {
  const provider = await sandboxProviderFor({
    engine: 'docker',
    engines: [
      { host: SOCKET, max: 1, name: 'one' },
      { host: SOCKET, max: 2, name: 'two' },
    ],
  });
  expect(provider).toBeInstanceOf(MultiEngineProvider);
  return provider as MultiEngineProvider;
}

describe.skipIf(!enabled)('MultiEngineProvider against the real engine', () => {
  beforeAll(async () => {
    image = await new DockerSandboxProvider({ docker }).ensureImage({ kind: 'base' });
  });

  afterAll(async () => {
    await new DockerSandboxProvider({ docker }).removeByLabels({ 'turnbench.run': runId });
  });

  it('spreads sandboxes by free slots and makes the next one wait for a destroyed one', async () => {
    const provider = await twoEngines();
    expect(await provider.ensureImage({ kind: 'base' })).toBe(image);
    const boxes: Sandbox[] = [];
    for (const sample of ['s1', 's2', 's3']) boxes.push(await provider.create(spec(sample)));
    expect(boxes.map((b) => b.engine)).toEqual(['two', 'one', 'two']);
    expect(provider.usage()).toEqual([
      { name: 'one', inUse: 1, max: 1 },
      { name: 'two', inUse: 2, max: 2 },
    ]);
    const r = await boxes[1]?.exec(['cat', 'where.txt'], { timeoutMs: 10_000 });
    expect(r?.stdout).toBe('s2\n');

    let settled = false;
    const fourth = provider.create(spec('s4')).finally(() => {
      settled = true;
    });
    expect(provider.waiting).toBe(1);
    // A container list round trip: were the 4th not waiting, its creation would have moved on.
    expect(
      await docker.listContainers({ all: true, filters: { label: [`turnbench.run=${runId}`] } }),
    ).toHaveLength(3);
    expect(settled).toBe(false);

    await boxes[1]?.destroy();
    const box4 = await fourth;
    expect(box4.engine).toBe('one');
    expect(provider.waiting).toBe(0);
    expect((await box4.exec(['cat', 'where.txt'], { timeoutMs: 10_000 })).stdout).toBe('s4\n');
    expect(provider.usage().map((u) => u.inUse)).toEqual([1, 2]);

    // Both entries are the same daemon: removal counts each container once.
    expect(await provider.removeByLabels({ 'turnbench.run': runId })).toBe(3);
    await Promise.all([...boxes, box4].map((b) => b.destroy()));
    expect(provider.usage().map((u) => u.inUse)).toEqual([0, 0]);
  });

  it('gives up waiting when the signal aborts, without taking a slot', async () => {
    const provider = new MultiEngineProvider([
      { name: 'only', provider: new DockerSandboxProvider({ docker }), max: 1 },
    ]);
    const held = await provider.create(spec('held'));
    const stop = new AbortController();
    const waiting = provider.create(spec('never'), stop.signal);
    expect(provider.waiting).toBe(1);
    stop.abort(new Error('run stopped'));
    await expect(waiting).rejects.toThrow('run stopped');
    expect(provider.waiting).toBe(0);
    await held.destroy();
    expect(provider.usage()).toEqual([{ name: 'only', inUse: 0, max: 1 }]);
    const next = await provider.create(spec('next'));
    expect(next.engine).toBe('only');
    await next.destroy();
  });

  it('frees the slot when creation fails', async () => {
    const provider = await twoEngines();
    await expect(provider.create({ ...spec('bad'), image: 'turnbench/no-such-image:0' })).rejects.toThrow();
    expect(provider.usage().map((u) => u.inUse)).toEqual([0, 0]);
  });

  it('names the engine that does not answer', async () => {
    const provider = (await sandboxProviderFor({
      engine: 'docker',
      engines: [
        { host: SOCKET, max: 1 },
        { host: 'unix:///nonexistent/docker.sock', max: 1, name: 'gone' },
      ],
    })) as MultiEngineProvider;
    await expect(provider.checkEngine()).rejects.toThrow(
      /connecting failed on 1 engine\(s\): gone: no Docker engine/,
    );
  });

  it('removes on the engines that answer, then names the one that does not', async () => {
    const provider = await sandboxProviderFor({
      engine: 'docker',
      engines: [
        { host: SOCKET, max: 1, name: 'here' },
        { host: 'unix:///nonexistent/docker.sock', max: 1, name: 'gone' },
      ],
    });
    const run = `${runId}-partial`;
    const box = await provider.create({ ...spec('p'), labels: { 'turnbench.run': run } });
    expect(box.engine).toBe('here');
    await expect(provider.removeByLabels({ 'turnbench.run': run })).rejects.toThrow(
      /removing sandboxes failed on 1 engine\(s\): gone:/,
    );
    await expect(docker.getContainer(box.id).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await box.destroy();
  });

  it('runs a command through a tcp:// engine', async () => {
    const relay = await startTcpRelay();
    const TCP = relay.url;
    const provider = await sandboxProviderFor({ engine: 'docker', engines: [{ host: TCP, max: 2 }] });
    expect(await provider.ensureImage({ kind: 'base' })).toBe(image);
    const box = await provider.create(spec('tcp'));
    try {
      expect(box.engine).toBe(TCP);
      const r = await box.exec(['sh', '-c', 'cat where.txt; id -u'], { timeoutMs: 10_000 });
      expect(r).toMatchObject({ exitCode: 0, stdout: 'tcp\n1000\n', timedOut: false });
      const info = await docker.getContainer(box.id).inspect();
      expect(info.Config.Labels['turnbench.sample']).toBe('tcp');
    } finally {
      await box.destroy();
    }
    await expect(docker.getContainer(box.id).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await relay.close();
  });
});

describe('sandboxProviderFor', () => {
  it('picks the provider the suite asks for', async () => {
    expect((await sandboxProviderFor({ engine: 'local' })).kind).toBe('local');
    expect(await sandboxProviderFor({ engine: 'docker' })).toBeInstanceOf(DockerSandboxProvider);
    expect(
      await sandboxProviderFor({ engine: 'docker', engines: [{ host: 'tcp://127.0.0.1:2375', max: 3 }] }),
    ).toBeInstanceOf(MultiEngineProvider);
  });
});
