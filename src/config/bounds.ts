/**
 * The largest and smallest values the input files may ask for. Each bound stops a value that
 * would otherwise be accepted and crash later: a timer past Node's limit that fires at once, a
 * `repeat` or sample count that exhausts memory, a container limit the engine refuses.
 */

/** Node keeps timer delays in a signed 32-bit int: a longer delay (~24.8 days) fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A sample's wall time: one week. */
export const MAX_WALL_TIMEOUT_S = 7 * 24 * 3600;
/** One command, scorer or model request: one day (setup commands get four times the command timeout). */
export const MAX_STEP_TIMEOUT_S = 24 * 3600;
/** Simulated delays (time to first token, a slow response): one hour. */
export const MAX_SIM_DELAY_MS = 3600 * 1000;

/** Samples in one run (tasks x variants x epochs). */
export const MAX_SAMPLES = 1_000_000;
/** A sim step's `repeat`, and the steps of one sim script once repeats are expanded. */
export const MAX_SIM_REPEAT = 10_000;
export const MAX_SIM_STEPS = 100_000;
export const MAX_TURNS = 100_000;
/** Tool output kept per call (it is held in memory and sent to the model). */
export const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
export const MAX_CONCURRENCY = 10_000;

/** Docker refuses less than 6 MB; a shell running python3 and git needs about 32. */
export const MIN_MEMORY_MB = 32;
export const MAX_MEMORY_MB = 1024 * 1024;
/** Docker's smallest CPU share; the largest is checked against the engine at run start. */
export const MIN_CPUS = 0.01;
export const MAX_CPUS = 1024;
/** The command wrapper, a shell and a pipeline need a dozen processes. */
export const MIN_PIDS = 16;
export const MAX_PIDS = 4_194_304;

/**
 * Nesting of arrays and objects in JSON that turnbench handles whole: the sim refuses a request
 * body nested deeper (400), and canonical JSON (telemetry/hash.ts) writes what lies deeper as
 * `"[Object]"`. Both keep recursive code (JSON.stringify, the serialiser) far from the stack's end;
 * real request bodies nest a few dozen levels (Codex's tool schemas fewer than 20).
 */
export const MAX_JSON_DEPTH = 1000;

/** A delay in ms that a Node timer honours: clamped to [0, MAX_TIMER_MS]; not a number means the maximum. */
export function timerDelay(ms: number): number {
  if (Number.isNaN(ms)) return MAX_TIMER_MS;
  return Math.min(MAX_TIMER_MS, Math.max(0, ms));
}
