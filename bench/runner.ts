import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Dockerode from 'dockerode';
import { stringify as toYaml } from 'yaml';
import { loadPricing, type Pricing, type VariantSpec } from '../src/config/index.js';
import { type ProgressReporter, runSuite } from '../src/runner/index.js';
import {
  DockerSandboxProvider,
  LocalSandboxProvider,
  RUN_LABEL,
  type SandboxProvider,
} from '../src/sandbox/index.js';
import { type LoadedSuite, loadSuite } from '../src/tasks/index.js';
import type { SampleRecord } from '../src/telemetry/index.js';
import { startChildSim } from './child-sim.js';
import { dockerProblem } from './docker-problem.js';
import { collectGarbage, type MemoryPeaks, MemorySampler, megabytes, round } from './util.js';

/**
 * Runner benchmarks (issue 5), all on a generated suite of trivial tasks (one `echo hi` shell call,
 * then a final answer: two model turns per sample) against the zero-latency sim, so they measure the
 * harness (scheduling, agent loop, telemetry, results files), not a model or Docker:
 * - samples per minute at concurrency 1, 4 and 16 with the local (host process) sandbox, and at
 *   concurrency 4 with Docker sandboxes when an engine answers and the base image is present;
 * - harness CPU per turn, with the sim in-process, and with the sim in a child process so its share
 *   can be separated;
 * - peak RSS and heap of a 10,000-sample run against a 1,000-sample run in the same process.
 */

const TASKS = 8;
/** Samples per throughput measurement, by concurrency (multiples of TASKS). */
const THROUGHPUT_SAMPLES: Record<number, number> = { 1: 200, 4: 400, 16: 400 };
const CPU_SAMPLES = 400;
const DOCKER_SAMPLES = 24;
const MEMORY_SMALL = 1_000;
const MEMORY_LARGE = Number(process.env.BENCH_RUNNER_MEMORY_SAMPLES ?? 10_000);
const MEMORY_CONCURRENCY = 16;
const TURNS_PER_SAMPLE = 2;
const SIM_KEY_ENV = 'TURNBENCH_BENCH_SIM_KEY';

/** Counts what finished and when each tenth of the run was done; prints nothing. */
class SilentProgress implements ProgressReporter {
  samples = 0;
  turns = 0;
  passed = 0;
  notCompleted = 0;
  firstProblem: string | null = null;
  private total = 0;
  private startedAt = 0;
  /** ms from start at which 10%, 20%, ... 100% of the samples had finished. */
  readonly tenths: number[] = [];

  /** `liveHeap`: collects MB of heap in use after a forced GC at each tenth (needs --expose-gc). */
  constructor(readonly liveHeap: number[] | null = null) {}

  start(total: number): void {
    this.total = total;
    this.startedAt = performance.now();
  }
  info(): void {}
  stop(): void {}
  sampleFinished(record: SampleRecord): void {
    this.samples += 1;
    if (this.samples * 10 >= this.total * (this.tenths.length + 1)) {
      this.tenths.push(performance.now() - this.startedAt);
      // Live heap (after a full collection) as the run goes: flat means nothing accumulates per sample.
      if (this.liveHeap && collectGarbage()) this.liveHeap.push(megabytes(process.memoryUsage().heapUsed));
    }
    this.turns += record.turns;
    if (record.passed) this.passed += 1;
    if (record.status !== 'completed') {
      this.notCompleted += 1;
      this.firstProblem ??=
        `${record.sample_id}: ${record.status} ${record.error?.kind ?? ''} ${record.error?.message ?? ''}`.trim();
    }
  }
}

function writeTrivialSuite(root: string): string {
  for (let i = 0; i < TASKS; i++) {
    const dir = join(root, 'tasks', `t${i}`);
    mkdirSync(dir, { recursive: true });
    const task = {
      id: `t${i}`,
      instructions: `Benchmark task ${i}: run echo hi in the shell, then reply hi.`,
      scorer: { type: 'match', mode: 'contains', expected: 'hi' },
      limits: { max_turns: 5, wall_timeout_s: 120 },
      sim: { steps: [{ shell: 'echo hi' }], final: `hi from task ${i}` },
    };
    writeFileSync(join(dir, 'task.yaml'), toYaml(task));
  }
  const suite = {
    name: 'bench-runner',
    tasks: ['tasks/*'],
    epochs: 1,
    variants: [
      {
        name: 'trivial',
        provider: 'sim',
        model: 'sim-1',
        instructions: 'You are a benchmark agent. Do exactly what the task says.',
        tools: ['shell'],
        prompt_cache_key: 'sample',
      },
    ],
    sandbox: { engine: 'local' },
  };
  const file = join(root, 'suite.yaml');
  writeFileSync(file, toYaml(suite));
  return file;
}

/** The same suite with `samples` samples (epochs scaled) and optionally its variant replaced. */
function sized(suite: LoadedSuite, samples: number, variant?: VariantSpec): LoadedSuite {
  if (samples % suite.tasks.length !== 0)
    throw new Error(`sample count ${samples} is not a multiple of ${suite.tasks.length}`);
  const variants = variant ? [variant] : suite.spec.variants;
  return { ...suite, spec: { ...suite.spec, epochs: samples / suite.tasks.length, variants } };
}

interface Measured {
  samples: number;
  concurrency: number;
  turns: number;
  passed: number;
  not_completed: number;
  first_problem?: string;
  wall_ms: number;
  samples_per_min: number;
  harness_cpu_ms: number;
  harness_cpu_user_ms: number;
  harness_cpu_system_ms: number;
  harness_cpu_us_per_turn: number;
  /** Samples per minute over the first and the last tenth of the run: does the runner slow down as it goes? */
  first_tenth_samples_per_min: number;
  last_tenth_samples_per_min: number;
  memory?: MemoryPeaks & {
    heap_used_before_mb: number;
    heap_used_after_gc_mb: number;
    live_heap_mb_by_tenth: number[];
  };
}

interface RunContext {
  resultsDir: string;
  pricing: Pricing;
}

async function measureRun(
  ctx: RunContext,
  suite: LoadedSuite,
  opts: {
    concurrency: number;
    sandboxes: SandboxProvider;
    env?: NodeJS.ProcessEnv;
    memory?: boolean;
    runId?: string;
  },
): Promise<Measured> {
  const runId = opts.runId ?? `bench-${randomUUID().slice(0, 8)}`;
  const progress = new SilentProgress(opts.memory ? [] : null);
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  const sampler = opts.memory ? new MemorySampler() : null;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let outcome: Awaited<ReturnType<typeof runSuite>>;
  let peaks: MemoryPeaks | undefined;
  try {
    outcome = await runSuite({
      suite,
      runId,
      resultsDir: ctx.resultsDir,
      concurrency: opts.concurrency,
      sandboxes: opts.sandboxes,
      pricing: ctx.pricing,
      progress,
      ...(opts.env ? { env: opts.env } : {}),
      stop: new AbortController().signal,
      abort: new AbortController().signal,
    });
  } finally {
    peaks = sampler?.stop();
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  try {
    const lines = readFileSync(join(outcome.runDir, 'samples.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean).length;
    if (lines !== progress.samples)
      throw new Error(`samples.jsonl has ${lines} lines for ${progress.samples} finished samples`);
  } finally {
    rmSync(outcome.runDir, { recursive: true, force: true });
  }
  if (progress.samples === 0 || progress.notCompleted === progress.samples) {
    throw new Error(`no sample completed (${progress.firstProblem ?? 'no records'})`);
  }
  collectGarbage();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    samples: progress.samples,
    concurrency: opts.concurrency,
    turns: progress.turns,
    passed: progress.passed,
    not_completed: progress.notCompleted,
    ...(progress.firstProblem ? { first_problem: progress.firstProblem } : {}),
    wall_ms: Math.round(wallMs),
    samples_per_min: Math.round(progress.samples / (wallMs / 60_000)),
    harness_cpu_ms: Math.round(cpuMs),
    harness_cpu_user_ms: Math.round(cpu.user / 1000),
    harness_cpu_system_ms: Math.round(cpu.system / 1000),
    harness_cpu_us_per_turn: Math.round((cpuMs * 1000) / Math.max(1, progress.turns)),
    ...tenthRates(progress),
    ...(peaks
      ? {
          memory: {
            ...peaks,
            heap_used_before_mb: megabytes(heapBefore),
            heap_used_after_gc_mb: megabytes(process.memoryUsage().heapUsed),
            live_heap_mb_by_tenth: progress.liveHeap ?? [],
          },
        }
      : {}),
  };
}

function tenthRates(
  progress: SilentProgress,
): Pick<Measured, 'first_tenth_samples_per_min' | 'last_tenth_samples_per_min'> {
  const t = progress.tenths;
  const perTenth = progress.samples / 10;
  const rate = (ms: number) => Math.round(perTenth / (Math.max(ms, 1) / 60_000));
  return {
    first_tenth_samples_per_min: rate(t[0] ?? 0),
    last_tenth_samples_per_min: rate((t[9] ?? 0) - (t[8] ?? 0)),
  };
}

// ---------------------------------------------------------------- sim in a child process

const SPAWN_ROUNDS = 200;

/**
 * Baseline for the local sandbox's share: this process's CPU for one bare `bash -lc 'echo hi'` spawn
 * (what each sample's shell call costs the harness process with the local sandbox; fork/exec runs
 * on the main thread, so it also serialises the event loop).
 */
async function spawnCpuUs(): Promise<number> {
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < SPAWN_ROUNDS; i++) {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('bash', ['-lc', 'echo hi'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      child.stdout?.resume();
      child.stderr?.resume();
      child.once('error', reject);
      child.once('close', () => resolve());
    });
  }
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / SPAWN_ROUNDS;
}

async function cpuPerTurn(
  ctx: RunContext,
  suite: LoadedSuite,
  suiteFile: string,
  inProcess: Measured,
): Promise<Record<string, unknown>> {
  const sim = await startChildSim(suiteFile);
  try {
    const base = suite.spec.variants[0]!;
    const remote: VariantSpec = {
      ...base,
      name: 'trivial-remote-sim',
      provider: 'openai',
      base_url: `${sim.url}/v1`,
      api_key_env: SIM_KEY_ENV,
    };
    const simCpu0 = sim.cpuMs();
    const measured = await measureRun(ctx, sized(suite, CPU_SAMPLES, remote), {
      concurrency: 4,
      sandboxes: new LocalSandboxProvider(),
      env: { ...process.env, [SIM_KEY_ENV]: 'bench-not-a-secret' },
    });
    const simCpu1 = sim.cpuMs();
    const spawnUs = await spawnCpuUs();
    const simCpuMs = simCpu0 !== null && simCpu1 !== null ? simCpu1 - simCpu0 : null;
    const harnessUs = measured.harness_cpu_us_per_turn;
    return {
      note:
        'process.cpuUsage() of the harness process over a run, divided by model turns; excludes the CPU of the ' +
        'sandbox commands (child processes). in_process includes the built-in sim serving each request in the same ' +
        'process; sim_in_child moves the sim to a `turnbench sim` child process (HTTP over loopback), so its CPU is ' +
        'the harness alone, and the child CPU is read from /proc.',
      concurrency: 4,
      in_process: {
        samples: inProcess.samples,
        turns: inProcess.turns,
        cpu_us_per_turn: inProcess.harness_cpu_us_per_turn,
        cpu_user_ms: inProcess.harness_cpu_user_ms,
        cpu_system_ms: inProcess.harness_cpu_system_ms,
        samples_per_min: inProcess.samples_per_min,
      },
      sim_in_child: {
        samples: measured.samples,
        turns: measured.turns,
        not_completed: measured.not_completed,
        ...(measured.first_problem ? { first_problem: measured.first_problem } : {}),
        harness_cpu_us_per_turn: harnessUs,
        harness_cpu_user_ms: measured.harness_cpu_user_ms,
        harness_cpu_system_ms: measured.harness_cpu_system_ms,
        sim_child_cpu_us_per_turn:
          simCpuMs === null ? null : Math.round((simCpuMs * 1000) / Math.max(1, measured.turns)),
        samples_per_min: measured.samples_per_min,
      },
      harness_share_of_in_process_cpu: round(harnessUs / Math.max(1, inProcess.harness_cpu_us_per_turn)),
      local_spawn_baseline: {
        note: `CPU of this process per bare spawn of \`bash -lc 'echo hi'\` (${SPAWN_ROUNDS} in a row): each sample makes one such call through the local sandbox`,
        cpu_us_per_spawn: Math.round(spawnUs),
        share_of_in_process_cpu: round(
          (spawnUs * inProcess.samples) / Math.max(1, inProcess.harness_cpu_us_per_turn * inProcess.turns),
        ),
        harness_cpu_us_per_turn_without_spawn_estimate: Math.round(
          harnessUs - (spawnUs * measured.samples) / Math.max(1, measured.turns),
        ),
      },
    };
  } finally {
    await sim.close();
  }
}

// ---------------------------------------------------------------- docker

async function dockerThroughput(
  ctx: RunContext,
  suite: LoadedSuite,
  localAt4: Measured,
): Promise<Record<string, unknown>> {
  const docker = new Dockerode();
  const skip = await dockerProblem(docker);
  if (skip) return { skipped: skip };
  const provider = new DockerSandboxProvider({ docker });
  const runId = `bench-docker-${randomUUID().slice(0, 8)}`;
  try {
    const measured = await measureRun(ctx, sized(suite, DOCKER_SAMPLES), {
      concurrency: 4,
      sandboxes: provider,
      runId,
    });
    return {
      note: `only ${DOCKER_SAMPLES} samples: container create/start/remove dominates; baseline is the local sandbox at the same concurrency`,
      ...measured,
      local_samples_per_min_at_4: localAt4.samples_per_min,
      ratio_docker_vs_local: round(measured.samples_per_min / localAt4.samples_per_min, 3),
    };
  } finally {
    // runSuite removes each container itself; this only sweeps what a crash would leave behind.
    await provider.removeByLabels({ [RUN_LABEL]: runId }).catch(() => 0);
  }
}

// ---------------------------------------------------------------- entry

function memoryView(m: Measured): Record<string, unknown> {
  return {
    samples: m.samples,
    wall_ms: m.wall_ms,
    samples_per_min: m.samples_per_min,
    first_tenth_samples_per_min: m.first_tenth_samples_per_min,
    last_tenth_samples_per_min: m.last_tenth_samples_per_min,
    harness_cpu_us_per_turn: m.harness_cpu_us_per_turn,
    ...m.memory,
  };
}

export async function benchRunner(): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'turnbench-bench-runner-'));
  try {
    const suiteFile = writeTrivialSuite(root);
    const suite = await loadSuite(suiteFile);
    const ctx: RunContext = { resultsDir: join(root, 'results'), pricing: await loadPricing() };
    const local = new LocalSandboxProvider();

    // Warm-up (JIT, tokenizer tables, sim start-up) so the first measured run is not penalised.
    await measureRun(ctx, sized(suite, 16), { concurrency: 4, sandboxes: local });

    const throughput: Record<string, Measured> = {};
    for (const concurrency of [1, 4, 16]) {
      const samples = THROUGHPUT_SAMPLES[concurrency]!;
      throughput[`c${concurrency}`] = await measureRun(ctx, sized(suite, samples), {
        concurrency,
        sandboxes: local,
      });
    }
    const c1 = throughput.c1!;
    const c4 = throughput.c4!;
    const c16 = throughput.c16!;

    const cpu = await cpuPerTurn(ctx, suite, suiteFile, c4);
    const dockerAt4 = await dockerThroughput(ctx, suite, c4);

    const small = await measureRun(ctx, sized(suite, MEMORY_SMALL), {
      concurrency: MEMORY_CONCURRENCY,
      sandboxes: local,
      memory: true,
    });
    const large = await measureRun(ctx, sized(suite, MEMORY_LARGE), {
      concurrency: MEMORY_CONCURRENCY,
      sandboxes: local,
      memory: true,
    });
    const smallMem = small.memory!;
    const largeMem = large.memory!;

    return {
      bench: 'runner',
      suite: `${TASKS} generated trivial tasks (one \`echo hi\` shell call, then a final answer: ${TURNS_PER_SAMPLE} turns), zero-latency in-process sim, local sandbox, real ResultsWriter folders in a temp dir`,
      gc_exposed: collectGarbage(),
      samples_per_min: {
        c1: c1.samples_per_min,
        c4: c4.samples_per_min,
        c16: c16.samples_per_min,
        scaling_c4_vs_c1: round(c4.samples_per_min / c1.samples_per_min),
        scaling_c16_vs_c1: round(c16.samples_per_min / c1.samples_per_min),
        runs: throughput,
      },
      docker_c4: dockerAt4,
      cpu_per_turn: cpu,
      memory: {
        note: `same process, concurrency ${MEMORY_CONCURRENCY}, local sandbox; peaks sampled every 25 ms (peak heap includes garbage not yet collected); live_heap_mb_by_tenth is heapUsed after a forced GC each time another tenth of the samples finished${
          collectGarbage() ? '' : ' (node without --expose-gc: heap figures include uncollected garbage)'
        }`,
        small: memoryView(small),
        large: memoryView(large),
        peak_rss_ratio_large_vs_small: round(largeMem.peak_rss_mb / smallMem.peak_rss_mb),
        peak_heap_ratio_large_vs_small: round(largeMem.peak_heap_used_mb / smallMem.peak_heap_used_mb),
        live_heap_end_ratio_large_vs_small: round(
          (largeMem.live_heap_mb_by_tenth.at(-1) ?? Number.NaN) /
            (smallMem.live_heap_mb_by_tenth.at(-1) ?? Number.NaN),
        ),
        samples_ratio: round(large.samples / small.samples),
        not_completed: small.not_completed + large.not_completed,
      },
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchRunner(), null, 2));
}
