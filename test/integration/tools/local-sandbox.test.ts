import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalSandboxProvider, processAlive } from '../../../src/sandbox/index.js';
import type { Sandbox, SandboxSpec } from '../../../src/sandbox/types.js';

const provider = new LocalSandboxProvider();
const created: Sandbox[] = [];

function spec(overrides: Partial<SandboxSpec> = {}): SandboxSpec {
  return {
    image: 'ignored',
    workdir: '/workspace',
    files: [],
    labels: { 'turnbench.run': 'test-run' },
    limits: { memoryMb: 256, cpus: 1, pids: 64 },
    network: false,
    ...overrides,
  };
}

async function sandbox(overrides: Partial<SandboxSpec> = {}): Promise<Sandbox> {
  const box = await provider.create(spec(overrides));
  created.push(box);
  return box;
}

async function eventuallyDead(pid: number, withinMs = 3_000): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (processAlive(pid)) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

afterEach(async () => {
  await Promise.all(created.splice(0).map((box) => box.destroy()));
});

describe('LocalSandboxProvider', () => {
  it('creates a fresh temp dir holding the spec files', async () => {
    const box = await sandbox({
      files: [
        { path: 'a.txt', content: 'alpha' },
        { path: 'bin/run.sh', content: Buffer.from('#!/bin/sh\necho ran\n'), mode: 0o755 },
      ],
    });
    expect(box.workdir.startsWith(tmpdir())).toBe(true);
    expect(await readFile(`${box.workdir}/a.txt`, 'utf8')).toBe('alpha');
    expect((await stat(`${box.workdir}/bin/run.sh`)).mode & 0o777).toBe(0o755);
    const other = await sandbox();
    expect(other.workdir).not.toBe(box.workdir);
    const run = await box.exec(['./bin/run.sh'], { timeoutMs: 5_000 });
    expect(run).toMatchObject({ exitCode: 0, stdout: 'ran\n', timedOut: false });
  });

  it('runs argv in the sandbox dir, or in a cwd relative to it', async () => {
    const box = await sandbox();
    await box.writeFile('sub/dir/f.txt', 'x');
    const here = await box.exec(['pwd'], { timeoutMs: 5_000 });
    expect(here.stdout.trim()).toBe(box.workdir);
    const sub = await box.exec(['ls'], { timeoutMs: 5_000, cwd: 'sub/dir' });
    expect(sub.stdout).toBe('f.txt\n');
    await expect(box.exec(['ls'], { timeoutMs: 5_000, cwd: 'nope' })).rejects.toThrow(
      'working directory does not exist: nope',
    );
  });

  it('reports exit codes, stderr, and a missing program as 127', async () => {
    const box = await sandbox();
    const result = await box.exec(['bash', '-c', 'echo out; echo err >&2; exit 3'], { timeoutMs: 5_000 });
    expect(result).toMatchObject({
      exitCode: 3,
      stdout: 'out\n',
      stderr: 'err\n',
      timedOut: false,
      truncated: false,
    });
    const missing = await box.exec(['definitely-not-a-program-xyz'], { timeoutMs: 5_000 });
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toContain('command not found');
    await box.writeFile('not-executable.sh', 'echo hi\n');
    const denied = await box.exec(['./not-executable.sh'], { timeoutMs: 5_000 });
    expect(denied.exitCode).toBe(126);
    expect(denied.stderr).toContain('permission denied');
  });

  it('does not pass host secrets into the environment', async () => {
    process.env.TURNBENCH_TEST_SECRET = 'sk-do-not-leak';
    try {
      const box = await sandbox();
      const result = await box.exec(['env'], { timeoutMs: 5_000, env: { EXTRA: 'yes' } });
      expect(result.stdout).not.toContain('sk-do-not-leak');
      expect(result.stdout).toContain('EXTRA=yes');
      expect(result.stdout).toContain(`HOME=${box.workdir}`);
    } finally {
      delete process.env.TURNBENCH_TEST_SECRET;
    }
  });

  it('kills the whole process group on timeout', async () => {
    const box = await sandbox();
    const result = await box.exec(['bash', '-c', 'sleep 30 & echo $! > child.pid; wait'], { timeoutMs: 300 });
    expect(result).toMatchObject({ timedOut: true, exitCode: null });
    const childPid = Number((await box.readFile('child.pid')).trim());
    // SIGKILL to the group is immediate, but the kernel may take a moment to tear the child down
    expect(await eventuallyDead(childPid)).toBe(true);
  });

  it('does not hang on background processes that keep the pipes open', async () => {
    const box = await sandbox();
    const result = await box.exec(['bash', '-c', 'sleep 30 & echo started'], { timeoutMs: 20_000 });
    expect(result).toMatchObject({ exitCode: 0, stdout: 'started\n', timedOut: false });
  });

  it('caps stdout+stderr, keeping head and tail', async () => {
    const box = await sandbox();
    const script = 'for i in $(seq 1 5000); do echo "line $i"; done; echo oops >&2';
    const result = await box.exec(['bash', '-c', script], { timeoutMs: 10_000, maxOutputBytes: 200 });
    expect(result.truncated).toBe(true);
    expect(result.stdout.startsWith('line 1\nline 2\n')).toBe(true);
    expect(result.stdout.endsWith('line 5000\n')).toBe(true);
    expect(result.stdout).toMatch(/\[\.\.\. \d+ bytes truncated \.\.\.\]/);
    expect(result.stderr).toBe('oops\n');
    const kept = result.stdout.replace(/\n\[\.\.\. \d+ bytes truncated \.\.\.\]\n/, '');
    expect(Buffer.byteLength(kept) + Buffer.byteLength(result.stderr)).toBeLessThanOrEqual(200);
  });

  it('stops the command when the signal aborts', async () => {
    const box = await sandbox();
    const controller = new AbortController();
    const pending = box.exec(['sleep', '30'], { timeoutMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('cancelled by test')), 100);
    await expect(pending).rejects.toThrow('cancelled by test');
  });

  it('reads and writes files relative to the workdir, creating parents', async () => {
    const box = await sandbox();
    await box.writeFile('deep/er/file.txt', 'content');
    expect(await box.readFile('deep/er/file.txt')).toBe('content');
    expect(await box.readFile(`${box.workdir}/deep/er/file.txt`)).toBe('content');
    await expect(box.readFile('missing.txt')).rejects.toThrow(/ENOENT/);
  });

  it('makes the folder of a sandbox without files on first use only', async () => {
    const unused = await sandbox();
    expect(unused.workdir.startsWith(tmpdir())).toBe(true);
    expect(existsSync(unused.workdir)).toBe(false);
    await unused.destroy();
    expect(existsSync(unused.workdir)).toBe(false);
    const used = await sandbox();
    expect(await used.exec(['pwd'], { timeoutMs: 5_000 })).toMatchObject({ exitCode: 0 });
    expect((await stat(used.workdir)).mode & 0o777).toBe(0o700);
  });

  it('destroy removes the dir, is idempotent, and refuses later commands', async () => {
    const box = await sandbox();
    await box.writeFile('left.txt', 'behind');
    expect(existsSync(box.workdir)).toBe(true);
    await box.destroy();
    await box.destroy();
    expect(existsSync(box.workdir)).toBe(false);
    await expect(box.exec(['true'], { timeoutMs: 1_000 })).rejects.toThrow('destroyed');
  });

  it('removeByLabels destroys only matching live sandboxes', async () => {
    const own = new LocalSandboxProvider();
    const a = await own.create(
      spec({ labels: { 'turnbench.run': 'r1' }, files: [{ path: 'f', content: 'x' }] }),
    );
    const b = await own.create(
      spec({ labels: { 'turnbench.run': 'r2' }, files: [{ path: 'f', content: 'x' }] }),
    );
    created.push(a, b);
    expect(await own.removeByLabels({ 'turnbench.run': 'r1' })).toBe(1);
    expect(existsSync(a.workdir)).toBe(false);
    expect(existsSync(b.workdir)).toBe(true);
    expect(await own.removeByLabels({ 'turnbench.run': 'r1' })).toBe(0);
    expect(await own.ensureImage({ kind: 'base' })).toBe('local');
  });
});
