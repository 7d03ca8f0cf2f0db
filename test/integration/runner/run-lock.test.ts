import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  acquireRunLock,
  liveRunOwner,
  OWNER_DIR,
  RunLockedError,
  type RunOwner,
} from '../../../src/runner/index.js';
import { bootId, processStartTime } from '../../../src/sandbox/index.js';
import { assertBuilt, REPO } from '../cli/helpers.js';

const LOCK_MODULE = pathToFileURL(join(REPO, 'dist/src/runner/run-lock.js')).href;

function runDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'tb-lock-')), 'run');
}

/** Writes an owner file as a process that took the lock would have. */
function plantOwner(dir: string, n: number, owner: Partial<RunOwner> & { pid: number }): void {
  mkdirSync(join(dir, OWNER_DIR), { recursive: true });
  const full: RunOwner = {
    start: processStartTime(owner.pid),
    boot: bootId(),
    host: hostname(),
    command: 'run --run-id x',
    since: new Date().toISOString(),
    released: false,
    ...owner,
  };
  writeFileSync(join(dir, OWNER_DIR, String(n)), JSON.stringify(full));
}

/** A separate node process that takes the lock, prints TOOK or REFUSED, and holds it until killed. */
function contender(dir: string, goAt: number): ChildProcess {
  const code = `
    const { acquireRunLock } = await import(${JSON.stringify(LOCK_MODULE)});
    await new Promise((r) => setTimeout(r, Math.max(0, ${goAt} - Date.now() - 30)));
    while (Date.now() < ${goAt}) {}
    try { acquireRunLock(${JSON.stringify(dir)}, 'contender'); console.log('TOOK'); }
    catch (e) { console.log(e.name === 'RunLockedError' ? 'REFUSED' : 'ERROR ' + e.message); }
    setInterval(() => {}, 1000);
  `;
  return spawn(process.execPath, ['--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.on('exit', () => reject(new Error(`exited before answering: ${out}`)));
  });
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid!;
}

describe('run lock: one live owner per run folder', () => {
  it('refuses a second owner while the first holds it, and lets the next one in after release', () => {
    const dir = runDir();
    const lock = acquireRunLock(dir, 'run --run-id a');
    expect(lock.createdDir).toBe(true);
    const refused = (() => {
      try {
        acquireRunLock(dir, 'run --resume a');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(refused).toBeInstanceOf(RunLockedError);
    expect((refused as Error).message).toContain(`\`run --run-id a\` (pid ${process.pid}`);
    expect(liveRunOwner(dir)?.pid).toBe(process.pid);
    writeFileSync(join(dir, 'run.json'), '{}'); // a run was recorded: the folder stays
    lock.release();
    expect(liveRunOwner(dir)).toBeNull();
    const next = acquireRunLock(dir, 'run --resume a');
    next.release();
    // the numbered owner files never go back; only the newest is kept
    expect(readdirSync(join(dir, OWNER_DIR))).toEqual(['2']);
  });

  it('removes a run folder it created when nothing was recorded in it', () => {
    const dir = runDir();
    acquireRunLock(dir, 'run').release();
    expect(() => readdirSync(dir)).toThrow(/ENOENT/);
  });

  it('takes over from a dead owner, a zombie, and a live pid that now belongs to another process', async () => {
    const dead = runDir();
    plantOwner(dead, 1, { pid: await deadPid(), start: '12345' });
    acquireRunLock(dead, 'run').release();

    // A pid reused by a later process: alive, but with another start time.
    const reused = runDir();
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      plantOwner(reused, 1, { pid: sleeper.pid!, start: '1' });
      acquireRunLock(reused, 'run').release();
      // the same live pid with its true start time still holds its run
      const held = runDir();
      plantOwner(held, 1, { pid: sleeper.pid! });
      expect(() => acquireRunLock(held, 'run')).toThrow(RunLockedError);
    } finally {
      sleeper.kill('SIGKILL');
    }

    // A zombie: `sleep 0.1` exits, and its parent (exec'd into a long sleep) never reaps it.
    const zombieDir = runDir();
    const parent = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 30'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const zombie = Number((await firstLine(parent)).trim());
      const start = processStartTime(zombie);
      await new Promise((r) => setTimeout(r, 400));
      expect(readFileSync(`/proc/${zombie}/stat`, 'utf8')).toMatch(/\) Z /);
      plantOwner(zombieDir, 1, { pid: zombie, start });
      acquireRunLock(zombieDir, 'run').release();
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('is held by a live process in another process, and free again once that is killed -9', async () => {
    assertBuilt();
    const dir = runDir();
    const holder = contender(dir, 0);
    try {
      expect(await firstLine(holder)).toBe('TOOK');
      expect(() => acquireRunLock(dir, 'run')).toThrow(/in use by `contender` \(pid \d+/);
      holder.kill('SIGKILL');
      await once(holder, 'exit');
      acquireRunLock(dir, 'run').release();
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('lets exactly one of eight processes starting at the same moment take it, also over a dead owner', async () => {
    assertBuilt();
    for (const stale of [false, true]) {
      const dir = runDir();
      if (stale) plantOwner(dir, 7, { pid: await deadPid(), start: '1' });
      const goAt = Date.now() + 3000;
      const racers = Array.from({ length: 8 }, () => contender(dir, goAt));
      try {
        const answers = await Promise.all(racers.map(firstLine));
        expect(
          answers.filter((a) => a === 'TOOK'),
          answers.join(','),
        ).toHaveLength(1);
        expect(answers.filter((a) => a === 'REFUSED')).toHaveLength(7);
      } finally {
        for (const r of racers) r.kill('SIGKILL');
      }
    }
  }, 120_000);
});
