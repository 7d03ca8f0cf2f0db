/**
 * A small V8 heap (`--max-old-space-size=128`, directly or in NODE_OPTIONS) keeps V8's default
 * young generation, up to 64 MB per semi-space on Node 24, and V8 then runs a full mark-compact
 * every few MB allocated although ~30 MB is live (--trace-gc): the same run costs ~3.6x the CPU.
 * Two flags fix it: a semi-space in proportion to the heap, and letting the old generation grow to
 * twice what survived the last full collection before the next one (V8 grows a small heap by far
 * less), always within the limit the user set. The semi-space size is read when the heap is set up,
 * so the CLI entry starts the same command again, once, with both flags (process.execve: same pid,
 * stdio, argv, environment and exit code).
 *
 * Imported by the CLI entry before anything else: only what old Node versions have.
 */
import { getHeapStatistics } from 'node:v8';

/** Set to `0` to keep V8's own sizing of a small heap (no second start). */
export const SMALL_HEAP_ENV = 'TURNBENCH_TUNE_SMALL_HEAP';
/** Heaps at least this big (heap_size_limit, young generation included) are left as V8 sized them. */
export const SMALL_HEAP_LIMIT_MB = 1024;
/** The semi-space gets at most this share of the heap limit (3 semi-spaces make the young generation). */
const HEAP_PER_SEMI_SPACE = 16;
const MAX_SEMI_SPACE_MB = 64;
/** Old generation grows by this many percent of what survived before the next full collection. */
const HEAP_GROWING_PERCENT = 100;

/** A flag that already tunes what this would: the user's choice then stands, whole. */
const TUNING_FLAG = /--(?:(?:max|min)[-_]semi[-_]space[-_]size|heap[-_]growing[-_]percent)\b/;

export interface SmallHeapInput {
  /** v8.getHeapStatistics().heap_size_limit in bytes */
  heapSizeLimit: number;
  execArgv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * The node flags to start again with, or null when the process should go on as it is: a big heap,
 * a tuning flag already given (so the process started again never starts a third time), or turned
 * off by the env var.
 */
export function smallHeapFlags(input: SmallHeapInput): string[] | null {
  if (input.env[SMALL_HEAP_ENV] === '0') return null;
  const limitMb = input.heapSizeLimit / (1024 * 1024);
  if (!(limitMb > 0) || limitMb >= SMALL_HEAP_LIMIT_MB) return null;
  const given = [...input.execArgv, input.env.NODE_OPTIONS ?? ''];
  if (given.some((flag) => TUNING_FLAG.test(flag))) return null;
  // A power of two no bigger than a sixteenth of the limit: 320 MB (old space 128) gives 16.
  let semiMb = 1;
  while (semiMb * 2 <= limitMb / HEAP_PER_SEMI_SPACE && semiMb * 2 <= MAX_SEMI_SPACE_MB) semiMb *= 2;
  return [`--max-semi-space-size=${semiMb}`, `--heap-growing-percent=${HEAP_GROWING_PERCENT}`];
}

type Execve = (file: string, args: string[], env: Record<string, string | undefined>) => never;

/**
 * Replaces this process with the same command plus the small-heap flags when the heap is small.
 * Returns (doing nothing) when no flag is needed or this Node has no process.execve (before
 * 22.15, and on Windows); the run then goes on with V8's sizing. The flags go on the node command
 * line, so the process started again sees them in process.execArgv.
 */
export function tuneSmallHeap(): void {
  const flags = smallHeapFlags({
    heapSizeLimit: getHeapStatistics().heap_size_limit,
    execArgv: process.execArgv,
    env: process.env,
  });
  const execve = (process as unknown as { execve?: Execve }).execve;
  if (!flags || typeof execve !== 'function') return;
  try {
    // (process.execve emits an experimental warning on the next tick; this process is gone by then.)
    execve.call(
      process,
      process.execPath,
      [process.argv0, ...process.execArgv, ...flags, ...process.argv.slice(1)],
      { ...process.env },
    );
  } catch {
    // execve(2) failed (newer Node throws, leaving this process as it was): go on with V8's sizing.
  }
}
