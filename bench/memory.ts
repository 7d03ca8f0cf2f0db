import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as z from 'zod';
import { SMALL_HEAP_ENV } from '../src/cli/small-heap.js';
import { type ChildSim, startChildSim } from './child-sim.js';
import { runWorker, type WorkerResult } from './floor-protocol.js';
import { measureProcess } from './process-cpu.js';
import { writeSingleTurnSuite } from './single-turn-suite.js';
import { type Target, target } from './targets.js';
import { errorSummary, round } from './util.js';

/**
 * Memory independent of the suite size (issue 13): a SAMPLES-sample single-turn run (local
 * sandbox, concurrency 16, the sim in its own process) the way a user runs it, `node
 * --max-old-space-size=128 dist/src/cli/main.js run ...`, against the same command with Node's
 * default heap. Both must complete; the capped run's CPU (the whole process, from exec to exit, the
 * CLI's own second start with its small-heap flags included) must stay within 1.2x. The same
 * capped command with that tuning turned off shows what it saves. The live heap
 * after a full collection at each tenth of a run (runSuite in a worker, default heap) shows whether
 * anything accumulates per finished sample.
 */

/**
 * The issue asks for 100,000 samples; that takes about 40 minutes on a loaded 2-core machine, so
 * the default is 10,000 and BENCH_MEMORY_SAMPLES=100000 runs the full one.
 * BENCH_MEMORY_UNTUNED=0 leaves out the capped run without the CLI's small-heap tuning (the slowest).
 */
const SAMPLES = Number(process.env.BENCH_MEMORY_SAMPLES ?? 10_000);
const RUN_UNTUNED = process.env.BENCH_MEMORY_UNTUNED !== '0';
const HEAP_MB = 128;
const CONCURRENCY = 16;
const TARGET_RATIO = 1.2;
const TASKS = 10;
const KEY_ENV = 'TURNBENCH_BENCH_MEMORY_KEY';

function writeSuite(root: string, baseURL: string | null): string {
  return writeSingleTurnSuite(root, baseURL, {
    name: 'memory',
    tasks: TASKS,
    samples: SAMPLES,
    keyEnv: KEY_ENV,
  });
}

type Failed = { failed: string };

const RunSummarySchema = z.object({
  status: z.string(),
  variants: z.array(z.object({ samples: z.number(), passed: z.number() })),
});

/** `turnbench run` of the suite as a user starts it, with these node flags and environment. */
async function cliRun(
  root: string,
  suite: string,
  runId: string,
  nodeFlags: string[],
  env: NodeJS.ProcessEnv = {},
) {
  const main = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  const resultsDir = join(root, 'results');
  try {
    const p = await measureProcess(
      root,
      [
        ...nodeFlags,
        main,
        'run',
        suite,
        '--sandbox',
        'local',
        '--concurrency',
        String(CONCURRENCY),
        '--results-dir',
        resultsDir,
        '--run-id',
        runId,
        '--json',
      ],
      { ...env, [KEY_ENV]: 'bench-not-a-secret' },
    );
    const summary = RunSummarySchema.parse(JSON.parse(p.stdout));
    const samples = summary.variants.reduce((n, v) => n + v.samples, 0);
    const passed = summary.variants.reduce((n, v) => n + v.passed, 0);
    return {
      command: `node ${[...nodeFlags, 'dist/src/cli/main.js', 'run', '...'].join(' ')}`,
      status: summary.status,
      samples,
      not_completed: SAMPLES - passed,
      cpu_ms: Math.round(p.cpu_ms),
      cpu_us_per_sample: Math.round((p.cpu_ms * 1000) / Math.max(1, samples)),
      wall_ms: p.wall_ms,
      max_rss_mb: Math.round(p.max_rss_kb / 1024),
      heap_limit_mb: p.heap_limit_mb,
      /** the node flags of the process that did the run (after the CLI started itself again, if it did) */
      exec_argv: p.exec_argv.filter((flag) => !flag.includes('cpu-at-exit') && flag !== '--import'),
    };
  } finally {
    rmSync(join(resultsDir, runId), { recursive: true, force: true });
  }
}

function workerView(result: WorkerResult) {
  return {
    samples: result.conversations,
    not_completed: result.not_completed,
    cpu_ms: Math.round((result.cpu_user_us + result.cpu_system_us) / 1000),
    wall_ms: result.wall_ms,
    max_rss_mb: result.max_rss_mb,
    heap_limit_mb: result.heap_limit_mb,
    live_heap_mb_by_tenth: result.live_heap_mb_by_tenth,
  };
}

async function failedAs<T>(work: () => Promise<T>): Promise<T | Failed> {
  try {
    return await work();
  } catch (error) {
    return { failed: errorSummary(error).message };
  }
}

function describe(r: { not_completed: number } | Failed): string {
  return 'failed' in r ? r.failed : `${r.not_completed} samples did not complete`;
}

export async function benchMemory(): Promise<Record<string, unknown>> {
  if (SAMPLES % TASKS !== 0) throw new Error(`BENCH_MEMORY_SAMPLES must be a multiple of ${TASKS}`);
  const root = mkdtempSync(join(tmpdir(), 'turnbench-bench-memory-'));
  let sim: ChildSim | null = null;
  try {
    sim = await startChildSim(writeSuite(root, null));
    const suite = writeSuite(root, sim.url);
    const capped = await failedAs(() => cliRun(root, suite, 'capped', [`--max-old-space-size=${HEAP_MB}`]));
    const free = await failedAs(() => cliRun(root, suite, 'default', []));
    const untuned = RUN_UNTUNED
      ? await failedAs(() =>
          cliRun(root, suite, 'capped-untuned', [`--max-old-space-size=${HEAP_MB}`], {
            [SMALL_HEAP_ENV]: '0',
          }),
        )
      : { failed: 'left out (BENCH_MEMORY_UNTUNED=0)' };
    const tenths = await failedAs(async () =>
      workerView(
        await runWorker(
          {
            mode: 'turnbench',
            suiteFile: suite,
            resultsDir: join(root, 'results'),
            runId: 'tenths',
            concurrency: CONCURRENCY,
            apiKeyEnv: KEY_ENV,
            heapTenths: true,
          },
          ['--expose-gc'],
        ),
      ),
    );
    rmSync(join(root, 'results', 'tenths'), { recursive: true, force: true });
    const ok = <R extends { not_completed: number }>(r: R | Failed): r is R =>
      !('failed' in r) && r.not_completed === 0;
    const targets: Target[] = [];
    if (ok(capped) && ok(free)) {
      targets.push(
        target({
          what: `CPU of a ${SAMPLES}-sample single-turn run, \`node --max-old-space-size=${HEAP_MB} turnbench run\`, vs the same command with the default heap`,
          figure: capped.cpu_ms,
          baseline: free.cpu_ms,
          unit: 'ms CPU',
          limit: TARGET_RATIO,
          how: `one run each, one after the other, local sandbox, concurrency ${CONCURRENCY}, sim in its own process; whole-process CPU from exec to exit (getrusage at exit, execve included)`,
        }),
      );
    } else {
      targets.push({
        what: `a ${SAMPLES}-sample single-turn run completes with a ${HEAP_MB} MB heap`,
        figure: Number.NaN,
        baseline: Number.NaN,
        unit: 'ms CPU',
        ratio: Number.NaN,
        limit: TARGET_RATIO,
        holds: false,
        how: !ok(capped)
          ? `the capped run failed: ${describe(capped)}`
          : `the default run failed: ${describe(free)}`,
      });
    }
    if (ok(tenths) && tenths.live_heap_mb_by_tenth.length >= 2) {
      const byTenth = tenths.live_heap_mb_by_tenth;
      targets.push(
        target({
          what: `live heap after a full GC once the whole ${SAMPLES}-sample run finished vs after its first tenth`,
          figure: byTenth.at(-1)!,
          baseline: byTenth[0]!,
          unit: 'MB heapUsed',
          limit: 1.1,
          how: 'runSuite in a worker with the default heap: global.gc() then process.memoryUsage().heapUsed each time another tenth of the samples finished',
        }),
      );
    }
    return {
      bench: 'memory',
      samples: SAMPLES,
      concurrency: CONCURRENCY,
      heap_mb: HEAP_MB,
      capped,
      default_heap: free,
      capped_without_small_heap_tuning: untuned,
      live_heap_run: tenths,
      cpu_ratio_capped_vs_default: ok(capped) && ok(free) ? round(capped.cpu_ms / free.cpu_ms, 3) : null,
      cpu_ratio_capped_untuned_vs_default:
        ok(untuned) && ok(free) ? round(untuned.cpu_ms / free.cpu_ms, 3) : null,
      note:
        `capped_without_small_heap_tuning is the capped command with ${SMALL_HEAP_ENV}=0: V8 keeps its own young generation ` +
        '(up to 64 MB per semi-space on Node 24) and runs a full mark-compact every few MB allocated with ~30 MB live (--trace-gc). ' +
        'The CLI starts itself again with --max-semi-space-size in proportion to a small heap and --heap-growing-percent=100 ' +
        '(see exec_argv of the capped run)',
      load_average: loadavg().map((l) => round(l, 2)),
      targets,
    };
  } finally {
    await sim?.close();
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchMemory(), null, 2));
}
