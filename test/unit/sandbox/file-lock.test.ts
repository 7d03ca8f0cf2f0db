import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withFileLock } from '../../../src/sandbox/file-lock.js';

describe('withFileLock', () => {
  const dirs: string[] = [];
  async function lockPath(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'tb-lock-'));
    dirs.push(dir);
    return join(dir, 'build.lock');
  }
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  it('runs holders one at a time and releases the lock after each', async () => {
    const lock = await lockPath();
    const events: string[] = [];
    const waits: number[] = [];
    const body = (name: string) => async () => {
      events.push(`${name} in`);
      await new Promise((r) => setTimeout(r, 50));
      events.push(`${name} out`);
      return name;
    };
    const results = await Promise.all([
      withFileLock(lock, (pid) => waits.push(pid), body('a')),
      withFileLock(lock, (pid) => waits.push(pid), body('b')),
    ]);
    expect(results).toEqual(['a', 'b']);
    // one at a time; which contender wins the first mkdir is up to the thread pool
    expect([
      ['a in', 'a out', 'b in', 'b out'],
      ['b in', 'b out', 'a in', 'a out'],
    ]).toContainEqual(events);
    expect(waits).toEqual([process.pid]);
    await expect(stat(lock)).rejects.toThrow(/ENOENT/);
  });

  it('takes over a lock whose owner died, and releases after a failing body', async () => {
    const lock = await lockPath();
    const deadPid = spawnSync('true').pid;
    await mkdir(lock);
    await writeFile(join(lock, 'pid'), String(deadPid));
    await expect(
      withFileLock(
        lock,
        () => {},
        async () => {
          throw new Error('build failed');
        },
      ),
    ).rejects.toThrow('build failed');
    await expect(stat(lock)).rejects.toThrow(/ENOENT/);
  });
});
