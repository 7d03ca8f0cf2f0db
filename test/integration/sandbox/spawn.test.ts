import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DockerSandboxProvider,
  LocalSandboxProvider,
  type Sandbox,
  type SandboxProvider,
  type SandboxSpec,
} from '../../../src/sandbox/index.js';
import { dockerTestsEnabled } from './docker-engine.js';

const docker = new Dockerode();
const dockerEnabled = await dockerTestsEnabled(docker);
const runId = `test-spawn-${randomUUID().slice(0, 8)}`;

function spec(image: string, overrides: Partial<SandboxSpec> = {}): SandboxSpec {
  return {
    image,
    workdir: '/workspace',
    files: [{ path: 'note.txt', content: 'in the workspace\n' }],
    labels: { 'turnbench.run': runId },
    limits: { memoryMb: 256, cpus: 1, pids: 64 },
    network: false,
    ...overrides,
  };
}

/** Collects a stream's text; `until` resolves once `text` has appeared. */
function collect(stream: Readable) {
  let seen = '';
  stream.on('data', (chunk) => {
    seen += String(chunk);
  });
  return {
    until(text: string, timeoutMs = 10_000): Promise<string> {
      const started = Date.now();
      return new Promise((resolve, reject) => {
        const poll = setInterval(() => {
          if (seen.includes(text)) {
            clearInterval(poll);
            resolve(seen);
          } else if (Date.now() - started > timeoutMs) {
            clearInterval(poll);
            reject(new Error(`no "${text}" within ${timeoutMs}ms: ${seen}`));
          }
        }, 10);
      });
    },
  };
}

function spawnContract(name: string, setup: () => Promise<{ provider: SandboxProvider; image: string }>) {
  describe(name, () => {
    let provider: SandboxProvider;
    let image: string;
    let box: Sandbox;

    beforeAll(async () => {
      ({ provider, image } = await setup());
      box = await provider.create(spec(image));
    });
    afterAll(async () => {
      await box?.destroy();
    });

    it('streams stdin to the process and its stdout and stderr back, then reports the exit code', async () => {
      const proc = await box.spawn(['sh', '-c', 'cat; echo done-on-stderr >&2; exit 7']);
      const out = collect(proc.stdout);
      const err = collect(proc.stderr);
      proc.stdin.write('line one\n');
      await out.until('line one');
      proc.stdin.write('line two\n');
      expect(await out.until('line two')).toBe('line one\nline two\n');
      proc.stdin.end();
      expect(await err.until('done-on-stderr')).toBe('done-on-stderr\n');
      expect(await proc.exited).toBe(7);
    });

    it('runs in the working directory with the given environment', async () => {
      const proc = await box.spawn(['sh', '-c', 'cat note.txt; echo "v=$MY_VAR"'], { env: { MY_VAR: 'x1' } });
      const out = await collect(proc.stdout).until('v=x1');
      expect(out).toBe('in the workspace\nv=x1\n');
      expect(await proc.exited).toBe(0);
    });

    it('kills a process that does not exit when its stdin closes', async () => {
      const proc = await box.spawn(['sh', '-c', 'trap "" TERM; echo started; while true; do sleep 1; done']);
      await collect(proc.stdout).until('started');
      const began = performance.now();
      await proc.kill(300);
      expect(await proc.exited).not.toBe(0);
      expect(performance.now() - began).toBeLessThan(10_000);
    });

    it('ends the process with the sandbox', async () => {
      const other = await provider.create(spec(image));
      const proc = await other.spawn(['sh', '-c', 'echo up; exec sleep 1000']);
      await collect(proc.stdout).until('up');
      const ended = proc.stdout.readableEnded ? Promise.resolve() : once(proc.stdout, 'end');
      await other.destroy();
      await proc.exited; // settles: the process is gone with its sandbox
      await ended;
    });
  });
}

spawnContract('local sandbox: spawn', async () => ({ provider: new LocalSandboxProvider(), image: 'local' }));

describe.skipIf(!dockerEnabled)('docker sandbox: spawn', () => {
  const provider = new DockerSandboxProvider({ docker });
  afterAll(async () => {
    await provider.removeByLabels({ 'turnbench.run': runId });
  });

  spawnContract('the contract', async () => ({
    provider,
    image: await provider.ensureImage({ kind: 'base' }),
  }));

  it('shows a read-only mount at its target', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tb-mount-'));
    await chmod(dir, 0o755); // the sandbox user reads it
    try {
      await writeFile(join(dir, 'tool.txt'), 'from the host\n');
      const image = await provider.ensureImage({ kind: 'base' });
      const box = await provider.create(spec(image, { mounts: [{ source: dir, target: '/opt/tb-test' }] }));
      try {
        const read = await box.exec(['cat', '/opt/tb-test/tool.txt'], { timeoutMs: 10_000 });
        expect(read.stdout).toBe('from the host\n');
        const write = await box.exec(['sh', '-c', 'echo x > /opt/tb-test/new.txt'], { timeoutMs: 10_000 });
        expect(write.exitCode).not.toBe(0);
        expect(write.stderr).toMatch(/read-only/i);
      } finally {
        await box.destroy();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a mount whose source does not exist', async () => {
    const image = await provider.ensureImage({ kind: 'base' });
    await expect(
      provider.create(spec(image, { mounts: [{ source: '/nonexistent/turnbench', target: '/opt/x' }] })),
    ).rejects.toThrow(/nonexistent|not exist|no such/i);
  });
});
