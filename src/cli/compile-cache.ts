import { lstatSync, mkdirSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Turns on Node's on-disk compile cache (V8 code cache of every module loaded after this call), so a
 * CLI started again and again skips most of the parsing and compiling of its ~600 modules. The
 * cache lives in NODE_COMPILE_CACHE (then Node turned it on at start already), else
 * `<os.tmpdir()>/node-compile-cache`, in a subfolder per Node version and architecture. Node keys
 * each entry by the module's path and checks a hash of its source, so a rebuilt file is compiled
 * afresh. A cache is an optimisation, never a reason to fail a command: NODE_DISABLE_COMPILE_CACHE=1
 * turns it off, and a folder that cannot be made means no cache. Node 22.0 lacks the API.
 *
 * The cache is code this process will run, and the temp folder is shared with every user of the
 * machine: a folder someone else made, or that others may write to, or a link, is not used (another
 * user could otherwise plant compiled code there).
 */
export function enableCompileCache(): void {
  const enable = (module as { enableCompileCache?: (dir?: string) => unknown }).enableCompileCache;
  if (typeof enable !== 'function') return;
  let dir: string | undefined;
  if (!process.env.NODE_COMPILE_CACHE) {
    // Node makes its folder with a recursive mkdir, which on some file systems never returns
    // (TMPDIR=/proc spins forever on Node 24): one plain mkdir first, and no usable folder, no cache.
    dir = join(tmpdir(), 'node-compile-cache');
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return;
    }
    if (!ownPrivateFolder(dir)) return;
  }
  try {
    enable(dir);
  } catch {
    // Documented not to throw (it reports a failure in its result); kept quiet either way.
  }
}

/** A real folder (not a link) owned by this user that no one else may write to. */
function ownPrivateFolder(dir: string): boolean {
  try {
    const stat = lstatSync(dir);
    const uid = process.getuid?.();
    return stat.isDirectory() && (uid === undefined || stat.uid === uid) && (stat.mode & 0o022) === 0;
  } catch {
    return false;
  }
}
