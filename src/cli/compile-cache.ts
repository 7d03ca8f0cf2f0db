import module from 'node:module';

/**
 * Turns on Node's on-disk compile cache (V8 code cache of every module loaded after this call), so a
 * CLI started again and again skips most of the parsing and compiling of its ~600 modules. The
 * cache lives in NODE_COMPILE_CACHE, else `<os.tmpdir()>/node-compile-cache`; Node keys each entry
 * by the module's path and checks a hash of its source, so a rebuilt file is compiled afresh. It
 * never throws: a directory that cannot be made or written only means no cache (status FAILED).
 * NODE_DISABLE_COMPILE_CACHE=1 turns it off. Node 22.0 lacks the API; then this does nothing.
 */
export function enableCompileCache(): void {
  const enable = (module as { enableCompileCache?: () => unknown }).enableCompileCache;
  if (typeof enable !== 'function') return;
  try {
    enable();
  } catch {
    // Documented not to throw; a cache is an optimisation, never a reason to fail a command.
  }
}
