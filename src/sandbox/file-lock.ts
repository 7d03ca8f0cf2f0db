import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processAlive } from './process-alive.js';

const HELD = new Set(['EEXIST', 'ENOTEMPTY']);

/**
 * Takes the lock, or says who holds it. The lock folder is created with its pid file already in
 * it (prepared aside, then renamed into place atomically), so a contender never sees a lock
 * without an owner.
 */
async function tryAcquire(lockDir: string): Promise<boolean> {
  const staging = `${lockDir}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await mkdir(staging);
  await writeFile(join(staging, 'pid'), String(process.pid));
  try {
    await rename(staging, lockDir);
    return true;
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    if (HELD.has((err as NodeJS.ErrnoException).code ?? '')) return false;
    throw err;
  }
}

/**
 * A cross-process lock (a folder holding the owner's pid). A lock whose owner died is taken
 * over, so a killed build never blocks the next one.
 */
export async function withFileLock<T>(
  lockDir: string,
  onWait: (ownerPid: number) => void,
  body: () => Promise<T>,
): Promise<T> {
  let reportedOwner = 0;
  for (;;) {
    if (await tryAcquire(lockDir)) break;
    const owner = Number((await readFile(join(lockDir, 'pid'), 'utf8').catch(() => '')).trim());
    if (owner > 0 && !processAlive(owner)) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (owner > 0 && owner !== reportedOwner) {
      reportedOwner = owner;
      onWait(owner);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  try {
    return await body();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
