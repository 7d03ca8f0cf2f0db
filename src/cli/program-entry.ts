import { statSync } from 'node:fs';

/**
 * The program to load: the bundle (`npm run build` writes it to dist/src/bundle, see
 * scripts/bundle-cli.mjs) when it is at least as new as the compiled program next to this file,
 * else the compiled program itself. tsc rewrites every file it emits, so a tsc-only build after
 * the bundle (a stale bundle) falls back to the modules it just wrote.
 */
export function programEntry(mainUrl: string): string {
  const bundled = new URL('../bundle/program.js', mainUrl);
  const compiled = new URL('./program.js', mainUrl);
  return bundleIsCurrent(modifiedMs(bundled), modifiedMs(compiled)) ? bundled.href : compiled.href;
}

/** A bundle is current when it exists and is no older than the compiled program it was built from. */
export function bundleIsCurrent(bundleMs: number | null, compiledMs: number | null): boolean {
  return bundleMs !== null && (compiledMs === null || bundleMs >= compiledMs);
}

function modifiedMs(url: URL): number | null {
  try {
    return statSync(url).mtimeMs;
  } catch {
    return null;
  }
}
