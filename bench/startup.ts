import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { stringify as toYaml } from 'yaml';
import { CaptureProxy } from './capture-proxy.js';
import { type ChildSim, startChildSim } from './child-sim.js';
import { type ExitFigures, type MeasuredProcess, measureProcess } from './process-cpu.js';
import { benchVariant } from './single-turn-suite.js';
import { type Target, target } from './targets.js';
import { median, round } from './util.js';

/**
 * Start-up (issue 13): the whole CPU of a process (user + system, every thread, from exec to exit),
 * turnbench against a bare `openai` SDK client doing the same, medians of interleaved rounds:
 * - `turnbench --help` against a process that imports `openai` and creates a client;
 * - `turnbench run` of a 1-sample local suite (one single-turn sample against the sim in another
 *   process) against a process that imports `openai`, creates a client and sends the same request
 *   body (captured from turnbench through a proxy) and reads its stream.
 * Each process is preloaded with cpu-at-exit.js. The modules a command loads (and the npm packages
 * they came from, so `dockerode_loaded` is a fact, not a guess) are counted in one more, untimed
 * start of each command: the counting hook runs on every module load and would weigh on the
 * command that loads more modules, so no timed process has it.
 *
 * The CLI turns on Node's on-disk compile cache (src/cli/compile-cache.ts), in its default place,
 * `<os.tmpdir()>/node-compile-cache`; the floor scripts turn it on the same way (one call a bare
 * client can make as well), so both sides get the same treatment. Every process gets its own TMPDIR:
 * - warm (the targets): one TMPDIR for all rounds, filled by one untimed start of each command
 *   first; what a user who runs the CLI again and again pays;
 * - cold: a fresh, empty TMPDIR for every process; the first start ever (compiling everything and
 *   writing the cache).
 */

const ROUNDS = Number(process.env.BENCH_STARTUP_ROUNDS ?? 9);
const TARGET_RATIO = 1.5;
const KEY_ENV = 'TURNBENCH_BENCH_STARTUP_KEY';
const execFileAsync = promisify(execFile);

/** Node's default compile-cache folder name under os.tmpdir() (what enableCompileCache() uses). */
const CACHE_DIR_NAME = 'node-compile-cache';

const DOCKER_PACKAGES = ['dockerode', 'docker-modem', 'ssh2', '@grpc/grpc-js', 'protobufjs'];

/** The cache must be the one each command turns on itself, in its TMPDIR, not one set from outside. */
const UNSET_FOR_STARTUP = [
  'NODE_COMPILE_CACHE',
  'NODE_DISABLE_COMPILE_CACHE',
  'TURNBENCH_BENCH_COUNT_MODULES',
];

function measureStart(root: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<MeasuredProcess> {
  return measureProcess(root, args, env, UNSET_FOR_STARTUP);
}

function floorScript(body: string | null, baseURL: string | null): string {
  const request =
    body && baseURL
      ? `const stream = await client.responses.create(JSON.parse(${JSON.stringify(body)}));
         for await (const event of stream) if (event.type === 'response.completed') done = true;
         if (!done) throw new Error('no response.completed');`
      : '';
  // The same compile cache the CLI turns on (src/cli/compile-cache.ts), before openai loads.
  return `const { default: nodeModule } = await import('node:module');
    nodeModule.enableCompileCache?.();
    const { default: OpenAI } = await import('openai');
    const client = new OpenAI({ apiKey: 'bench-not-a-secret', maxRetries: 0${baseURL ? `, baseURL: ${JSON.stringify(baseURL)}` : ''} });
    let done = false;
    ${request}`;
}

function writeSuite(root: string, baseURL: string | null): string {
  const task = {
    id: 'hello',
    instructions: 'Start-up benchmark: reply hello.',
    scorer: { type: 'match', mode: 'contains', expected: 'hello' },
    sim: { steps: [], final: 'hello' },
  };
  mkdirSync(join(root, 'tasks', 'hello'), { recursive: true });
  writeFileSync(join(root, 'tasks', 'hello', 'task.yaml'), toYaml(task));
  const suite = {
    name: 'bench-startup',
    tasks: ['tasks/*'],
    variants: [benchVariant('one', baseURL, KEY_ENV)],
    sandbox: { engine: 'local' },
  };
  const file = join(root, baseURL ? `suite-${baseURL.split(':').at(-1)}.yaml` : 'sim-suite.yaml');
  writeFileSync(file, toYaml(suite));
  return file;
}

function countFiles(dir: string): number {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
  } catch {
    return 0;
  }
}

interface Series {
  runs: (ExitFigures & { cpu_ms: number })[];
}

function summary(series: Series, counted: ExitFigures | null) {
  return {
    cpu_ms_median: round(median(series.runs.map((r) => r.cpu_ms)), 1),
    cpu_ms_min: round(Math.min(...series.runs.map((r) => r.cpu_ms)), 1),
    max_rss_mb_median: round(median(series.runs.map((r) => r.max_rss_kb / 1024)), 1),
    modules_loaded: counted?.modules ?? null,
    packages_loaded: counted?.packages?.length ?? null,
    dockerode_loaded: counted?.packages ? DOCKER_PACKAGES.some((p) => counted.packages!.includes(p)) : null,
    packages: counted?.packages ?? null,
    cpu_ms_runs: series.runs.map((r) => round(r.cpu_ms, 1)),
  };
}

export async function benchStartup(): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'turnbench-bench-startup-'));
  const main = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  let sim: ChildSim | null = null;
  try {
    sim = await startChildSim(writeSuite(root, null));
    // The body turnbench sends for this sample, for the floor to send too.
    const proxy = new CaptureProxy(new URL(sim.url));
    const proxyURL = await proxy.start();
    let body: string;
    try {
      await execFileAsync(
        process.execPath,
        [
          main,
          'run',
          writeSuite(root, proxyURL),
          '--results-dir',
          join(root, 'results'),
          '--run-id',
          'capture',
          '--json',
        ],
        { env: { ...process.env, [KEY_ENV]: 'bench-not-a-secret', TMPDIR: root } },
      );
      const sent = proxy.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/responses'));
      if (sent.length !== 1) throw new Error(`the 1-sample run sent ${sent.length} requests, expected 1`);
      body = sent[0]!.body.toString('utf8');
    } finally {
      await proxy.close();
    }
    const suite = writeSuite(root, sim.url);

    type Name = 'floor_start' | 'help' | 'floor_request' | 'run';
    const commands: Record<Name, { args: (i: string) => string[]; env?: NodeJS.ProcessEnv }> = {
      floor_start: { args: () => ['--input-type=module', '-e', floorScript(null, null)] },
      help: { args: () => [main, '--help'] },
      floor_request: { args: () => ['--input-type=module', '-e', floorScript(body, `${sim!.url}/v1`)] },
      run: {
        args: (i) => [
          main,
          'run',
          suite,
          '--results-dir',
          join(root, 'results'),
          '--run-id',
          `r${i}`,
          '--json',
        ],
        env: { [KEY_ENV]: 'bench-not-a-secret' },
      },
    };
    const names = Object.keys(commands) as Name[];
    const warmTmp = join(root, 'tmp-warm');
    mkdirSync(warmTmp);
    const measure = (name: Name, id: string, tmp: string) =>
      measureStart(root, commands[name].args(id), { ...commands[name].env, TMPDIR: tmp });
    // Fill the warm cache: one untimed start of each command.
    for (const name of names) await measure(name, `prime-${name}`, warmTmp);
    const cacheFiles = countFiles(join(warmTmp, CACHE_DIR_NAME));
    if (cacheFiles === 0) throw new Error(`no compile cache was written under ${warmTmp}`);
    const counted = {} as Record<Name, ExitFigures>;
    for (const name of names) {
      counted[name] = await measureStart(root, commands[name].args(`count-${name}`), {
        ...commands[name].env,
        TMPDIR: warmTmp,
        TURNBENCH_BENCH_COUNT_MODULES: '1',
      });
    }

    const series = {} as Record<Name | `${Name}_cold`, Series>;
    for (const name of names) {
      series[name] = { runs: [] };
      series[`${name}_cold`] = { runs: [] };
    }
    for (let i = 0; i < ROUNDS; i++) {
      const steps: [keyof typeof series, () => ReturnType<typeof measureStart>][] = names.flatMap((name) => [
        [name, () => measure(name, `r${i}`, warmTmp)] as const,
        [
          `${name}_cold` as const,
          () => {
            const coldTmp = join(root, `tmp-cold-${name}-${i}`);
            mkdirSync(coldTmp);
            return measure(name, `c${i}`, coldTmp).finally(() =>
              rmSync(coldTmp, { recursive: true, force: true }),
            );
          },
        ] as const,
      ]);
      // Interleaved, the order turned each round, so drifting load hits every command alike.
      for (const [name, step] of i % 2 === 0 ? steps : steps.reverse()) series[name].runs.push(await step());
    }

    const figures = Object.fromEntries(
      Object.entries(series).map(([n, s]) => [n, summary(s, counted[n as Name] ?? null)]),
    ) as Record<keyof typeof series, ReturnType<typeof summary>>;
    const ratio = (a: number, b: number) => round(a / b, 3);
    const how = (extra: string) =>
      `median of ${ROUNDS} interleaved runs of each: user+system CPU from exec to exit (preloaded exit hook)${extra}; ` +
      "warm compile cache on both sides (each turns on Node's compile cache itself; filled by one untimed start), " +
      'the case of a user running the CLI again and again; the first-ever (cold, empty cache) figures are reported beside it';
    const targets: Target[] = [
      target({
        what: '`turnbench --help`: CPU of the whole process vs a bare openai SDK client start (warm compile cache)',
        figure: figures.help.cpu_ms_median,
        baseline: figures.floor_start.cpu_ms_median,
        unit: 'ms CPU',
        limit: TARGET_RATIO,
        how: how(''),
      }),
      target({
        what: '`turnbench run` of a 1-sample local suite vs a bare openai SDK client sending the same request (warm compile cache)',
        figure: figures.run.cpu_ms_median,
        baseline: figures.floor_request.cpu_ms_median,
        unit: 'ms CPU',
        limit: TARGET_RATIO,
        how: how(
          '; the sim in its own process; the floor sends the body turnbench sent (captured through a proxy)',
        ),
      }),
    ];
    return {
      bench: 'startup',
      note:
        'whole-process CPU from exec to exit (node start included on both sides); floor_start imports openai and creates a client; floor_request also sends one streamed request and reads it; ' +
        'plain names: warm compile cache (the targets); *_cold: a fresh empty cache (first start ever, cache written at exit)',
      compile_cache_files_warm: cacheFiles,
      ratios: {
        help_warm: ratio(figures.help.cpu_ms_median, figures.floor_start.cpu_ms_median),
        help_cold: ratio(figures.help_cold.cpu_ms_median, figures.floor_start_cold.cpu_ms_median),
        run_warm: ratio(figures.run.cpu_ms_median, figures.floor_request.cpu_ms_median),
        run_cold: ratio(figures.run_cold.cpu_ms_median, figures.floor_request_cold.cpu_ms_median),
      },
      ...figures,
      targets,
    };
  } finally {
    await sim?.close();
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchStartup(), null, 2));
}
