import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processAlive } from './process-alive.js';

const OWNERLESS_TAKEOVER_MS = 5_000;

async function tryAcquire(lockDir: string): Promise<boolean> {
  try {
    await mkdir(lockDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  await writeFile(join(lockDir, 'pid'), String(process.pid));
  return true;
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
  let ownerlessSince: number | null = null;
  for (;;) {
    if (await tryAcquire(lockDir)) break;
    const owner = Number((await readFile(join(lockDir, 'pid'), 'utf8').catch(() => '')).trim());
    // The holder has made the folder but not yet written its pid: look again in a moment. A
    // folder that stays ownerless was left by a process killed in between: take it over.
    if (!(owner > 0)) {
      ownerlessSince ??= Date.now();
      if (Date.now() - ownerlessSince > OWNERLESS_TAKEOVER_MS) {
        await rm(lockDir, { recursive: true, force: true });
        ownerlessSince = null;
      } else {
        await new Promise((r) => setTimeout(r, 10));
      }
      continue;
    }
    ownerlessSince = null;
    if (!processAlive(owner)) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (owner !== reportedOwner) {
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
