import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { stringify as toYaml } from 'yaml';
import { z } from 'zod';
import { CaptureProxy } from './capture-proxy.js';
import { type ChildSim, startChildSim } from './child-sim.js';
import { type Target, target } from './targets.js';
import { median, round } from './util.js';

/**
 * Start-up (issue 13): the whole CPU of a process (user + system, every thread, from exec to exit),
 * turnbench against a bare `openai` SDK client doing the same, medians of interleaved rounds:
 * - `turnbench --help` against a process that imports `openai` and creates a client;
 * - `turnbench run` of a 1-sample local suite (one single-turn sample against the sim in another
 *   process) against a process that imports `openai`, creates a client and sends the same request
 *   body (captured from turnbench through a proxy) and reads its stream.
 * Each process is preloaded with cpu-at-exit.js, which also counts the modules it loaded and names
 * the npm packages they came from (so `dockerode_loaded` is a fact, not a guess).
 */

const ROUNDS = Number(process.env.BENCH_STARTUP_ROUNDS ?? 9);
const TARGET_RATIO = 1.5;
const KEY_ENV = 'TURNBENCH_BENCH_STARTUP_KEY';
const execFileAsync = promisify(execFile);

const ExitFiguresSchema = z.object({
  cpu_user_us: z.number(),
  cpu_system_us: z.number(),
  modules: z.number().nullable(),
  packages: z.array(z.string()).nullable(),
  max_rss_kb: z.number(),
});
type ExitFigures = z.infer<typeof ExitFiguresSchema>;

const DOCKER_PACKAGES = ['dockerode', 'docker-modem', 'ssh2', '@grpc/grpc-js', 'protobufjs'];

async function measureProcess(
  root: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<ExitFigures & { cpu_ms: number }> {
  const file = join(root, `cpu-${process.hrtime.bigint()}.json`);
  const preload = pathToFileURL(fileURLToPath(new URL('./cpu-at-exit.js', import.meta.url))).href;
  await execFileAsync(process.execPath, ['--import', preload, ...args], {
    env: { ...process.env, ...env, TURNBENCH_BENCH_CPU_FILE: file },
    maxBuffer: 16 * 1024 * 1024,
  });
  const figures = ExitFiguresSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  rmSync(file, { force: true });
  return { ...figures, cpu_ms: (figures.cpu_user_us + figures.cpu_system_us) / 1000 };
}

function floorScript(body: string | null, baseURL: string | null): string {
  const request =
    body && baseURL
      ? `const stream = await client.responses.create(JSON.parse(${JSON.stringify(body)}));
         for await (const event of stream) if (event.type === 'response.completed') done = true;
         if (!done) throw new Error('no response.completed');`
      : '';
  return `const { default: OpenAI } = await import('openai');
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
    variants: [
      {
        name: 'one',
        model: 'sim-1',
        instructions: 'You are a benchmark agent.',
        ...(baseURL
          ? { provider: 'openai', base_url: `${baseURL}/v1`, api_key_env: KEY_ENV }
          : { provider: 'sim' }),
      },
    ],
    sandbox: { engine: 'local' },
  };
  const file = join(root, baseURL ? `suite-${baseURL.split(':').at(-1)}.yaml` : 'sim-suite.yaml');
  writeFileSync(file, toYaml(suite));
  return file;
}

interface Series {
  runs: (ExitFigures & { cpu_ms: number })[];
}

function summary(series: Series) {
  const last = series.runs.at(-1)!;
  return {
    cpu_ms_median: round(median(series.runs.map((r) => r.cpu_ms)), 1),
    cpu_ms_min: round(Math.min(...series.runs.map((r) => r.cpu_ms)), 1),
    max_rss_mb_median: round(median(series.runs.map((r) => r.max_rss_kb / 1024)), 1),
    modules_loaded: last.modules,
    packages_loaded: last.packages?.length ?? null,
    dockerode_loaded: last.packages ? DOCKER_PACKAGES.some((p) => last.packages!.includes(p)) : null,
    packages: last.packages,
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
        { env: { ...process.env, [KEY_ENV]: 'bench-not-a-secret' } },
      );
      const sent = proxy.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/responses'));
      if (sent.length !== 1) throw new Error(`the 1-sample run sent ${sent.length} requests, expected 1`);
      body = sent[0]!.body.toString('utf8');
    } finally {
      await proxy.close();
    }
    const suite = writeSuite(root, sim.url);

    const series: Record<'floor_start' | 'help' | 'floor_request' | 'run', Series> = {
      floor_start: { runs: [] },
      help: { runs: [] },
      floor_request: { runs: [] },
      run: { runs: [] },
    };
    for (let i = 0; i < ROUNDS; i++) {
      const steps: [keyof typeof series, () => ReturnType<typeof measureProcess>][] = [
        ['floor_start', () => measureProcess(root, ['--input-type=module', '-e', floorScript(null, null)])],
        ['help', () => measureProcess(root, [main, '--help'])],
        [
          'floor_request',
          () => measureProcess(root, ['--input-type=module', '-e', floorScript(body, `${sim!.url}/v1`)]),
        ],
        [
          'run',
          () =>
            measureProcess(
              root,
              [main, 'run', suite, '--results-dir', join(root, 'results'), '--run-id', `r${i}`, '--json'],
              { [KEY_ENV]: 'bench-not-a-secret' },
            ),
        ],
      ];
      // Interleaved, the order turned each round, so drifting load hits every command alike.
      for (const [name, step] of i % 2 === 0 ? steps : steps.reverse()) series[name].runs.push(await step());
    }

    const figures = {
      floor_start: summary(series.floor_start),
      help: summary(series.help),
      floor_request: summary(series.floor_request),
      run: summary(series.run),
    };
    const targets: Target[] = [
      target({
        what: '`turnbench --help`: CPU of the whole process vs a bare openai SDK client start',
        figure: figures.help.cpu_ms_median,
        baseline: figures.floor_start.cpu_ms_median,
        unit: 'ms CPU',
        limit: TARGET_RATIO,
        how: `median of ${ROUNDS} interleaved runs of each: user+system CPU from exec to exit (preloaded exit hook)`,
      }),
      target({
        what: '`turnbench run` of a 1-sample local suite vs a bare openai SDK client sending the same request',
        figure: figures.run.cpu_ms_median,
        baseline: figures.floor_request.cpu_ms_median,
        unit: 'ms CPU',
        limit: TARGET_RATIO,
        how: `median of ${ROUNDS} interleaved runs of each: user+system CPU from exec to exit; the sim in its own process; the floor sends the body turnbench sent (captured through a proxy)`,
      }),
    ];
    return {
      bench: 'startup',
      note: 'whole-process CPU from exec to exit (node start included on both sides); floor_start imports openai and creates a client; floor_request also sends one streamed request and reads it',
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
