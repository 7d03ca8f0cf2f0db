import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify as toYaml } from 'yaml';
import { type CapturedRequest, CaptureProxy, compareCaptures } from './capture-proxy.js';
import { type ChildSim, startChildSim } from './child-sim.js';
import { runWorker, type WorkerJob, type WorkerResult } from './floor-protocol.js';
import { type Target, target } from './targets.js';
import { median, round } from './util.js';

/**
 * The floor (issue 13): turnbench's CPU on a workload against a bare `openai` SDK client sending the
 * very same request bodies to the same sim, at the same concurrency.
 *
 * 1. Capture: turnbench runs the workload through a capturing proxy in front of the sim; the bare
 *    client then replays those bodies through the same proxy; the two captures must be equal byte
 *    for byte (conversation by conversation) or the benchmark fails.
 * 2. Measure: ROUNDS interleaved rounds (the order flips each round), each client in a fresh
 *    process talking to the sim directly; CPU by process.cpuUsage() in each client over the work
 *    only; the sim runs in its own process and its CPU is read from /proc.
 */

const ROUNDS = Number(process.env.BENCH_FLOOR_ROUNDS ?? 5);
const CONCURRENCY = 4;
const TARGET_RATIO = 1.3;
const TASKS = 10;
const KEY_ENV = 'TURNBENCH_BENCH_FLOOR_KEY';
const RUN_ID = 'floor';

interface Workload {
  name: 'single_turn' | 'conversation_20';
  samples: number;
  turns: number;
}

const WORKLOADS: Workload[] = [
  { name: 'single_turn', samples: Number(process.env.BENCH_FLOOR_SINGLE ?? 500), turns: 1 },
  { name: 'conversation_20', samples: Number(process.env.BENCH_FLOOR_CONVERSATIONS ?? 50), turns: 20 },
];

const INSTRUCTIONS = [
  'You are a coding agent running in a sandboxed workspace. You and the user share the same workspace and',
  'collaborate to achieve the user goals. Keep going until the task is completely resolved before ending your',
  'turn. Use the shell tool to run commands, apply_patch to edit files, read_file and write_file for files,',
  'and update_plan to keep a short plan. Prefer small, verifiable steps; run the tests after each change.',
  'When you are done, reply with a short summary of what you changed and why.',
].join('\n');

function taskInstructions(workload: Workload, i: number): string {
  return `Floor benchmark ${workload.name} task ${i}: follow the script, then reply done ${i}.`;
}

function writeTasks(root: string, workload: Workload): void {
  for (let i = 0; i < TASKS; i++) {
    const dir = join(root, workload.name, `t${i}`);
    mkdirSync(dir, { recursive: true });
    const steps =
      workload.turns > 1 ? [{ repeat: workload.turns - 1, shell: `echo step {{i}} of task ${i}` }] : [];
    const task = {
      id: `${workload.name}-t${i}`,
      instructions: taskInstructions(workload, i),
      scorer: { type: 'match', mode: 'contains', expected: `done ${i}` },
      limits: { max_turns: workload.turns + 5, wall_timeout_s: 300 },
      sim: { steps, final: `done ${i}` },
    };
    writeFileSync(join(dir, 'task.yaml'), toYaml(task));
  }
}

function variant(baseURL: string | null) {
  return {
    name: 'floor',
    ...(baseURL
      ? { provider: 'openai', base_url: `${baseURL}/v1`, api_key_env: KEY_ENV }
      : { provider: 'sim' }),
    model: 'sim-1',
    instructions: INSTRUCTIONS,
    tools: ['shell', 'apply_patch', 'read_file', 'write_file', 'update_plan'],
    prompt_cache_key: 'sample',
  };
}

function writeSuite(
  root: string,
  file: string,
  tasks: string[],
  epochs: number,
  baseURL: string | null,
): string {
  const suite = {
    name: 'bench-floor',
    tasks,
    epochs,
    variants: [variant(baseURL)],
    sandbox: { engine: 'local' },
  };
  const path = join(root, file);
  writeFileSync(path, toYaml(suite));
  return path;
}

function writeBodies(file: string, captured: CapturedRequest[]): void {
  const lines = captured
    .filter((c) => c.method === 'POST' && c.path.endsWith('/responses'))
    .map((c) => JSON.stringify({ conversation: c.conversation, body: c.body.toString('base64') }));
  writeFileSync(file, `${lines.join('\n')}\n`);
}

interface RunFigures extends WorkerResult {
  cpu_ms: number;
  sim_cpu_ms: number | null;
}

async function measuredRun(sim: ChildSim, job: WorkerJob): Promise<RunFigures> {
  const sim0 = sim.cpuMs();
  const result = await runWorker(job);
  const sim1 = sim.cpuMs();
  if (result.not_completed > 0)
    throw new Error(
      `${job.mode}: ${result.not_completed} conversations did not complete (${result.first_problem})`,
    );
  return {
    ...result,
    cpu_ms: round((result.cpu_user_us + result.cpu_system_us) / 1000, 1),
    sim_cpu_ms: sim0 !== null && sim1 !== null ? round(sim1 - sim0, 1) : null,
  };
}

async function benchWorkload(
  root: string,
  sim: ChildSim,
  workload: Workload,
): Promise<{ figures: Record<string, unknown>; targets: Target[] }> {
  const epochs = workload.samples / TASKS;
  const tasks = [`${workload.name}/*`];
  const resultsDir = join(root, 'results');
  const freshRun = () => rmSync(join(resultsDir, RUN_ID), { recursive: true, force: true });

  // 1. Capture turnbench's bodies, replay them with the bare client, compare byte for byte.
  const proxy = new CaptureProxy(new URL(sim.url));
  const proxyURL = await proxy.start();
  let comparison: ReturnType<typeof compareCaptures>;
  const bodiesFile = join(root, `${workload.name}.bodies.jsonl`);
  try {
    const captureSuite = writeSuite(root, `${workload.name}-capture.yaml`, tasks, epochs, proxyURL);
    freshRun();
    await runWorker({
      mode: 'turnbench',
      suiteFile: captureSuite,
      resultsDir,
      runId: RUN_ID,
      concurrency: CONCURRENCY,
      apiKeyEnv: KEY_ENV,
      heapTenths: false,
    });
    const sent = proxy.byConversation();
    writeBodies(bodiesFile, proxy.requests);
    proxy.requests.length = 0;
    await runWorker({
      mode: 'floor',
      bodiesFile,
      baseURL: `${proxyURL}/v1`,
      concurrency: CONCURRENCY,
      runTools: false,
    });
    comparison = compareCaptures(sent, proxy.byConversation());
  } finally {
    await proxy.close();
  }
  if (!comparison.identical) throw new Error(`the floor's requests differ: ${comparison.first_difference}`);
  if (comparison.requests !== workload.samples * workload.turns)
    throw new Error(
      `captured ${comparison.requests} requests, expected ${workload.samples * workload.turns}`,
    );

  // 2. Interleaved measured rounds against the sim directly.
  const suite = writeSuite(root, `${workload.name}.yaml`, tasks, epochs, sim.url);
  const withTools = workload.turns > 1;
  const ours: RunFigures[] = [];
  const floor: RunFigures[] = [];
  const floorTools: RunFigures[] = [];
  const ratios: number[] = [];
  const ratiosWithTools: number[] = [];
  /** The bare client running the shell calls against the same client not running them. */
  const toolsOverFloor: number[] = [];
  for (let round_ = 0; round_ < ROUNDS; round_++) {
    const runOurs = async () => {
      freshRun();
      const run = await measuredRun(sim, {
        mode: 'turnbench',
        suiteFile: suite,
        resultsDir,
        runId: RUN_ID,
        concurrency: CONCURRENCY,
        apiKeyEnv: KEY_ENV,
        heapTenths: false,
      });
      ours.push(run);
      return run;
    };
    const runFloor = (runTools: boolean) => async () => {
      const run = await measuredRun(sim, {
        mode: 'floor',
        bodiesFile,
        baseURL: `${sim.url}/v1`,
        concurrency: CONCURRENCY,
        runTools,
      });
      (runTools ? floorTools : floor).push(run);
      return run;
    };
    // Each round starts with a different client, so none always runs first on a cold sim.
    const clients = [runOurs, runFloor(false), ...(withTools ? [runFloor(true)] : [])];
    const shift = round_ % clients.length;
    for (const client of [...clients.slice(shift), ...clients.slice(0, shift)]) await client();
    const tb = ours.at(-1)!;
    ratios.push(tb.cpu_ms / floor.at(-1)!.cpu_ms);
    const ft = floorTools.at(-1);
    if (withTools && ft) {
      if (ft.tool_calls !== tb.tool_calls)
        throw new Error(`the floor ran ${ft.tool_calls} tool calls, turnbench ${tb.tool_calls}`);
      ratiosWithTools.push(tb.cpu_ms / ft.cpu_ms);
      toolsOverFloor.push(ft.cpu_ms / floor.at(-1)!.cpu_ms);
    }
  }
  freshRun();

  const requests = workload.samples * workload.turns;
  const oursCpu = median(ours.map((r) => r.cpu_ms));
  const floorCpu = median(floor.map((r) => r.cpu_ms));
  const simPerRequest = (runs: RunFigures[]) => {
    const values = runs.flatMap((r) => (r.sim_cpu_ms === null ? [] : [(r.sim_cpu_ms * 1000) / requests]));
    return values.length > 0 ? Math.round(median(values)) : null;
  };
  const view = (runs: RunFigures[]) => ({
    cpu_ms_median: oursCpuOf(runs),
    cpu_us_per_request: Math.round((oursCpuOf(runs) * 1000) / requests),
    wall_ms_median: median(runs.map((r) => r.wall_ms)),
    sim_cpu_us_per_request_median: simPerRequest(runs),
    max_rss_mb_median: median(runs.map((r) => r.max_rss_mb)),
    tool_calls: runs[0]?.tool_calls ?? 0,
    runs: runs.map((r) => ({
      cpu_ms: r.cpu_ms,
      cpu_user_ms: round(r.cpu_user_us / 1000, 1),
      cpu_system_ms: round(r.cpu_system_us / 1000, 1),
      wall_ms: r.wall_ms,
      sim_cpu_ms: r.sim_cpu_ms,
      max_rss_mb: r.max_rss_mb,
    })),
  });
  const ratio = median(ratios);
  const how = `median of ${ROUNDS} interleaved rounds (ratio: median of the per-round ratios); process.cpuUsage() of each client process over the work, sim in its own process`;
  const targets = [
    target({
      what: `turnbench CPU vs the floor, ${workload.samples} x ${workload.turns}-turn samples, local sandbox, concurrency ${CONCURRENCY}`,
      figure: oursCpu,
      baseline: floorCpu,
      unit: 'ms CPU',
      ratio,
      limit: TARGET_RATIO,
      how,
    }),
  ];
  const floorToolsCpu = withTools ? median(floorTools.map((r) => r.cpu_ms)) : null;
  if (floorToolsCpu !== null)
    targets.push(
      target({
        what: `turnbench CPU vs the floor that also runs the same shell commands (one process per call, as turnbench), ${workload.samples} x ${workload.turns}-turn samples, local sandbox, concurrency ${CONCURRENCY}`,
        figure: oursCpu,
        baseline: floorToolsCpu,
        unit: 'ms CPU',
        ratio: median(ratiosWithTools),
        limit: TARGET_RATIO,
        how: `${how}; the parent's CPU only on both sides (a command's own CPU is its process's), so what is compared is starting and reading the processes`,
      }),
    );
  return {
    figures: {
      samples: workload.samples,
      turns_per_sample: workload.turns,
      requests,
      concurrency: CONCURRENCY,
      rounds: ROUNDS,
      bodies_checked: comparison,
      turnbench: view(ours),
      floor: view(floor),
      cpu_ratio_per_round: ratios.map((r) => round(r, 3)),
      cpu_ratio_median: round(ratio, 3),
      harness_cpu_us_per_turn_over_floor: Math.round(((oursCpu - floorCpu) * 1000) / requests),
      ...(floorToolsCpu !== null && {
        floor_with_tools: view(floorTools),
        cpu_ratio_vs_floor_with_tools_per_round: ratiosWithTools.map((r) => round(r, 3)),
        cpu_ratio_vs_floor_with_tools_median: round(median(ratiosWithTools), 3),
        harness_cpu_us_per_turn_over_floor_with_tools: Math.round(
          ((oursCpu - floorToolsCpu) * 1000) / requests,
        ),
        // What starting the processes alone costs the bare client: no harness that runs each shell
        // call as a process can come closer than this to the floor without tools.
        floor_with_tools_vs_floor_median: round(median(toolsOverFloor), 3),
      }),
    },
    targets,
  };
}

function oursCpuOf(runs: RunFigures[]): number {
  return median(runs.map((r) => r.cpu_ms));
}

export async function benchFloor(): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'turnbench-bench-floor-'));
  let sim: ChildSim | null = null;
  try {
    for (const workload of WORKLOADS) writeTasks(root, workload);
    const simSuite = writeSuite(
      root,
      'sim.yaml',
      WORKLOADS.map((w) => `${w.name}/*`),
      1,
      null,
    );
    sim = await startChildSim(simSuite);
    const figures: Record<string, unknown> = {};
    const targets: Target[] = [];
    for (const workload of WORKLOADS) {
      const result = await benchWorkload(root, sim, workload);
      figures[workload.name] = result.figures;
      targets.push(...result.targets);
    }
    return {
      bench: 'floor',
      note:
        'the floor is a bare openai SDK client (new OpenAI(), responses.create with stream: true, every event read) sending ' +
        "turnbench's own recorded request bodies (checked equal byte for byte through a capturing proxy) to the same sim " +
        'process at the same concurrency; turnbench runs the suite with runSuite and the local sandbox. For conversations, ' +
        'floor_with_tools is the same client that also runs each shell call of a response as a child process before its next ' +
        'request, as a bare agent loop must. CPU excludes module ' +
        'loading and set-up in both (see the startup benchmark for that).',
      ...figures,
      targets,
    };
  } finally {
    await sim?.close();
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchFloor(), null, 2));
}
