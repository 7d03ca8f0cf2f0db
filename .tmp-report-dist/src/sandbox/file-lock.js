import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
function isAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (err) {
        return err.code === 'EPERM';
    }
}
/**
 * A cross-process lock (an atomic mkdir holding the owner's pid). A lock whose owner died is
 * taken over, so a killed build never blocks the next one.
 */
export async function withFileLock(lockDir, onWait, body) {
    let reportedOwner = 0;
    for (;;) {
        try {
            await mkdir(lockDir);
            await writeFile(join(lockDir, 'pid'), String(process.pid));
            break;
        }
        catch (err) {
            if (err.code !== 'EEXIST')
                throw err;
            const owner = Number((await readFile(join(lockDir, 'pid'), 'utf8').catch(() => '')).trim());
            if (owner > 0 && !isAlive(owner)) {
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
    }
    finally {
        await rm(lockDir, { recursive: true, force: true });
    }
}
//# sourceMappingURL=file-lock.js.map