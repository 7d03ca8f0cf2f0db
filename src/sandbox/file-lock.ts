import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processAlive } from './process-alive.js';

/**
 * A cross-process lock (an atomic mkdir holding the owner's pid). A lock whose owner died is
 * taken over, so a killed build never blocks the next one.
 */
export async function withFileLock<T>(
  lockDir: string,
  onWait: (ownerPid: number) => void,
  body: () => Promise<T>,
): Promise<T> {
  let reportedOwner = 0;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
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
  }
  try {
    return await body();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
