import { randomBytes } from 'node:crypto';
import {
  existsSync,
  linkSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod';
import { identityAlive, ownIdentity, processAlive } from '../sandbox/core.js';
import { ensureDir } from '../telemetry/index.js';

/**
 * One live owner per run folder. Every command that writes a run (run, resume, merge) holds its
 * lock; a second one is refused while the first lives.
 *
 * The lock is a folder `.owner/` of numbered files, each naming one process (pid, start time,
 * boot, host). The highest number is the current owner. Taking the lock means creating the next
 * number with link(2), which exactly one contender can do; a contender only goes past a number
 * whose owner is dead (pid gone, a zombie, or the pid reused by a later process) or released.
 * Numbers never go back, and a taker checks afterwards that no higher number appeared, so a dead
 * owner's lock is taken over by exactly one process without any lock on the lock.
 */

export const OWNER_DIR = '.owner';

const RunOwnerSchema = z.object({
  pid: z.number().int().positive(),
  start: z.string().nullable(),
  boot: z.string().nullable(),
  host: z.string(),
  command: z.string(),
  since: z.string(),
  released: z.boolean().default(false),
});
export type RunOwner = z.infer<typeof RunOwnerSchema>;

export class RunLockedError extends Error {
  override name = 'RunLockedError';
  constructor(
    readonly runDir: string,
    readonly owner: RunOwner,
  ) {
    super(
      owner.host === hostname()
        ? `run ${runDir} is in use by \`${owner.command}\` (pid ${owner.pid}, since ${owner.since}); wait for it to end or stop it`
        : `run ${runDir} is in use by \`${owner.command}\` on ${owner.host} (pid ${owner.pid}, since ${owner.since}); if that process is gone, remove ${join(runDir, OWNER_DIR)}`,
    );
  }
}

export interface RunLock {
  readonly runDir: string;
  /** Whether taking the lock created the run folder. */
  readonly createdDir: boolean;
  /** Gives the run back. A run folder the lock created and nothing was recorded in is removed again. */
  release(): void;
}

/** Whether a recorded owner still holds its run: released locks and dead processes do not. */
export function ownerAlive(owner: RunOwner): boolean {
  if (owner.released) return false;
  if (owner.host !== hostname()) return true; // another machine: nothing here can tell; assume so
  return identityAlive(owner);
}

function ownerNumbers(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => /^[1-9][0-9]*$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
}

function readOwner(file: string): RunOwner | null {
  try {
    const parsed = RunOwnerSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null; // written whole by link(2): unreadable means damaged, i.e. owned by nobody
  }
}

/** The process holding the run folder now, or null when nobody (alive) does. */
export function liveRunOwner(runDir: string): RunOwner | null {
  const dir = join(runDir, OWNER_DIR);
  const top = ownerNumbers(dir).at(-1);
  if (top === undefined) return null;
  const owner = readOwner(join(dir, String(top)));
  return owner && ownerAlive(owner) ? owner : null;
}

/** Temporary files of takers that died between writing and linking them. */
function removeStaleTemps(dir: string): void {
  for (const name of readdirSync(dir)) {
    const pid = /^\.tmp-([0-9]+)-/.exec(name)?.[1];
    if (pid && Number(pid) !== process.pid && !processAlive(Number(pid)))
      rmSync(join(dir, name), { force: true });
  }
}

/**
 * Takes the run folder for this process (creating it and its parents when missing), or throws
 * RunLockedError naming the live owner. `command` is shown to whoever is refused.
 */
export function acquireRunLock(runDir: string, command: string): RunLock {
  const createdDir = ensureDir(runDir);
  const dir = join(runDir, OWNER_DIR);
  ensureDir(dir);
  const me: RunOwner = {
    ...ownIdentity(),
    host: hostname(),
    command,
    since: new Date().toISOString(),
    released: false,
  };
  const temp = join(dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  // A start of the same run that failed may remove the (empty) folder under us: make it again.
  const writeTemp = () => {
    for (let tries = 0; ; tries++) {
      try {
        writeFileSync(temp, JSON.stringify(me));
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || tries >= 3) throw error;
        ensureDir(dir);
      }
    }
  };
  writeTemp();
  try {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const numbers = ownerNumbers(dir);
      const top = numbers.at(-1) ?? 0;
      if (top > 0) {
        const owner = readOwner(join(dir, String(top)));
        if (owner && ownerAlive(owner)) throw new RunLockedError(runDir, owner);
      }
      const mine = top + 1;
      try {
        linkSync(temp, join(dir, String(mine)));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') continue; // another taker won it
        if (code !== 'ENOENT') throw error;
        writeTemp();
        continue;
      }
      // A taker working from an older listing may have reused a number already cleaned away:
      // the lock is ours only if ours is still the highest.
      if (ownerNumbers(dir).some((n) => n > mine)) {
        rmSync(join(dir, String(mine)), { force: true });
        continue;
      }
      for (const n of numbers) rmSync(join(dir, String(n)), { force: true });
      removeStaleTemps(dir);
      return new HeldRunLock(runDir, createdDir, join(dir, String(mine)), me);
    }
    throw new Error(`cannot take the lock of ${runDir}: too many processes contending for it`);
  } finally {
    rmSync(temp, { force: true });
  }
}

class HeldRunLock implements RunLock {
  private released = false;

  constructor(
    readonly runDir: string,
    readonly createdDir: boolean,
    private readonly file: string,
    private readonly owner: RunOwner,
  ) {}

  /** Marks the lock released (kept, so numbers never go back); a failed write just leaves a dead pid. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.createdDir && !existsSync(join(this.runDir, 'run.json'))) {
      rmSync(this.file, { force: true });
      for (const folder of [join(this.runDir, OWNER_DIR), this.runDir]) {
        try {
          rmdirSync(folder);
        } catch {
          break; // not empty: someone else's now, or files were written after all
        }
      }
      return;
    }
    const temp = `${this.file}.release-${randomBytes(4).toString('hex')}`;
    try {
      writeFileSync(temp, JSON.stringify({ ...this.owner, released: true }));
      renameSync(temp, this.file);
    } catch {
      rmSync(temp, { force: true });
    }
  }
}
