import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Dockerode from 'dockerode';
import { loadPricing } from '../src/config/index.js';
import { runSuite } from '../src/runner/index.js';
import { containerConfig } from '../src/sandbox/docker-provider.js';
import {
  DockerSandboxProvider,
  LocalSandboxProvider,
  RUN_LABEL,
  type SandboxProvider,
  type SandboxSpec,
} from '../src/sandbox/index.js';
import { loadSuite } from '../src/tasks/index.js';
import type { SampleRecord } from '../src/telemetry/index.js';
import { type ChildSim, machineBusyMs, startChildSim } from './child-sim.js';
import { dockerProblem } from './docker-problem.js';
import { writeSingleTurnSuite } from './single-turn-suite.js';
import { type Target, target } from './targets.js';
import { median, round } from './util.js';

/**
 * Docker against the local sandbox (issue 13): the wall time of a single-turn sample at steady state
 * (samples finished between the first tenth and the end of the run, so start-up and the first
 * containers are left out), concurrency 4, the zero-latency sim in its own process. Beside them,
 * the engine's own floor: the same engine work per sample (create the locked-down container, put
 * the working folder in, start, force-remove) straight through dockerode with the same number of
 * containers alive (concurrency + the warm pool), which no harness can beat.
 */

const SAMPLES = Number(process.env.BENCH_DOCKER_SAMPLES ?? 100);
const CONCURRENCY = 4;
const TARGET_RATIO = 2;
const KEY_ENV = 'TURNBENCH_BENCH_DOCKER_KEY';
const TASKS = 10;

function writeSuite(root: string, baseURL: string | null): string {
  return writeSingleTurnSuite(root, baseURL, {
    name: 'docker',
    tasks: TASKS,
    samples: SAMPLES,
    keyEnv: KEY_ENV,
  });
}

/** ms per sample between the first tenth of the samples finishing and the last. */
function steadyMsPerSample(finishedAt: number[]): number {
  const sorted = [...finishedAt].sort((a, b) => a - b);
  const from = Math.floor(sorted.length / 10);
  return (sorted.at(-1)! - sorted[from]!) / Math.max(1, sorted.length - 1 - from);
}

async function measureRun(root: string, suiteFile: string, sandboxes: SandboxProvider, runId: string) {
  const suite = await loadSuite(suiteFile);
  const finishedAt: number[] = [];
  const problems: string[] = [];
  const t0 = performance.now();
  await runSuite({
    suite,
    runId,
    resultsDir: join(root, 'results'),
    concurrency: CONCURRENCY,
    sandboxes,
    pricing: await loadPricing(),
    env: { ...process.env, [KEY_ENV]: 'bench-not-a-secret' },
    stop: new AbortController().signal,
    abort: new AbortController().signal,
    progress: {
      start() {},
      info() {},
      stop() {},
      sampleFinished(record: SampleRecord) {
        finishedAt.push(performance.now() - t0);
        if (record.status !== 'completed') problems.push(`${record.sample_id}: ${record.error?.message}`);
      },
    },
  });
  const wallMs = performance.now() - t0;
  if (problems.length > 0) throw new Error(`${problems.length} samples failed: ${problems[0]}`);
  return {
    samples: finishedAt.length,
    wall_ms: Math.round(wallMs),
    steady_ms_per_sample: round(steadyMsPerSample(finishedAt), 2),
  };
}

/** The engine alone: create + start + remove through dockerode, `alive` containers at a time. */
async function engineFloor(image: string, alive: number, runId: string) {
  const spec: SandboxSpec = {
    image,
    workdir: '/workspace',
    files: [],
    labels: { [RUN_LABEL]: runId },
    limits: { memoryMb: 512, cpus: 1, pids: 256 },
    network: false,
  };
  const docker = new Dockerode();
  const finishedAt: number[] = [];
  const busy0 = machineBusyMs();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: alive }, async () => {
      while (next++ < SAMPLES) {
        // The same engine work as a turnbench sandbox for a task without files (its locked-down
        // config, start, forced removal), with no harness around it.
        const container = await docker.createContainer(containerConfig(spec, spec.labels));
        await container.start();
        await container.remove({ force: true });
        finishedAt.push(performance.now() - t0);
      }
    }),
  );
  const busy1 = machineBusyMs();
  return {
    containers: finishedAt.length,
    alive,
    wall_ms: Math.round(performance.now() - t0),
    steady_ms_per_container: round(steadyMsPerSample(finishedAt), 2),
    // Everything the machine did meanwhile: the engine, the runtime, the kernel, this client.
    machine_cpu_ms_per_container:
      busy0 === null || busy1 === null ? null : round((busy1 - busy0) / finishedAt.length, 2),
  };
}

export async function benchDocker(): Promise<Record<string, unknown>> {
  const docker = new Dockerode();
  const skip = await dockerProblem(docker);
  if (skip) return { bench: 'docker', skipped: skip, targets: [] };
  const root = mkdtempSync(join(tmpdir(), 'turnbench-bench-docker-'));
  const provider = new DockerSandboxProvider({ docker });
  const runId = `bench-docker-${randomUUID().slice(0, 8)}`;
  let sim: ChildSim | null = null;
  try {
    sim = await startChildSim(writeSuite(root, null));
    const suiteFile = writeSuite(root, sim.url);
    const image = await provider.ensureImage({ kind: 'base' });
    // Interleaved twice: local, docker, engine, then the other way round; medians of the two.
    const local: Awaited<ReturnType<typeof measureRun>>[] = [];
    const dockerRuns: Awaited<ReturnType<typeof measureRun>>[] = [];
    const engine: Awaited<ReturnType<typeof engineFloor>>[] = [];
    for (let round_ = 0; round_ < 2; round_++) {
      const steps = [
        async () =>
          local.push(await measureRun(root, suiteFile, new LocalSandboxProvider(), `local-${round_}`)),
        async () => dockerRuns.push(await measureRun(root, suiteFile, provider, `${runId}-${round_}`)),
        async () => engine.push(await engineFloor(image, CONCURRENCY + 2, runId)),
      ];
      for (const step of round_ === 0 ? steps : steps.reverse()) await step();
    }
    const localMs = median(local.map((r) => r.steady_ms_per_sample));
    const dockerMs = median(dockerRuns.map((r) => r.steady_ms_per_sample));
    const engineMs = median(engine.map((r) => r.steady_ms_per_container));
    const engineCpu = engine.map((r) => r.machine_cpu_ms_per_container);
    const engineCpuMs = engineCpu.every((v) => v !== null) ? median(engineCpu as number[]) : null;
    const cores = availableParallelism();
    const targets: Target[] = [
      target({
        what: `single-turn Docker sample vs a local one, wall time at steady state, concurrency ${CONCURRENCY}`,
        figure: dockerMs,
        baseline: localMs,
        unit: 'ms per sample',
        limit: TARGET_RATIO,
        how: `${SAMPLES} samples per run, ms between the first tenth and the last sample finishing, median of 2 interleaved runs; zero-latency sim in its own process`,
      }),
    ];
    return {
      bench: 'docker',
      samples: SAMPLES,
      concurrency: CONCURRENCY,
      local_steady_ms_per_sample: localMs,
      docker_steady_ms_per_sample: dockerMs,
      engine_floor_steady_ms_per_container: engineMs,
      docker_vs_engine_floor: round(dockerMs / engineMs, 3),
      engine_machine_cpu_ms_per_container: engineCpuMs,
      cores,
      // With every core doing nothing but containers, a sample could not finish faster than this.
      docker_vs_local_bound_by_engine_cpu:
        engineCpuMs === null ? null : round(engineCpuMs / cores / localMs, 2),
      note:
        'engine floor: the same locked-down containers created, started and removed straight through dockerode, ' +
        `${CONCURRENCY + 2} alive at a time (concurrency + warm pool), no harness: a Docker sample cannot cost less than that; ` +
        "engine_machine_cpu_ms_per_container: the whole machine's busy CPU (/proc/stat) over the engine floor per container; " +
        'divided by the cores and the local sample time, the least Docker/local ratio this machine allows with one fresh container per sample',
      runs: { local, docker: dockerRuns, engine },
      targets,
    };
  } finally {
    await sim?.close();
    await provider.removeByLabels({ [RUN_LABEL]: runId }).catch(() => 0);
    for (let i = 0; i < 2; i++)
      await provider.removeByLabels({ [RUN_LABEL]: `${runId}-${i}` }).catch(() => 0);
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchDocker(), null, 2));
}
