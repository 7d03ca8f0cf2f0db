import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify as toYaml } from 'yaml';
import * as z from 'zod';
import { codexSetup, findCodexBuild, readSessionLog } from '../src/agents/index.js';
import { type ChildSim, startChildSim } from './child-sim.js';
import { type MeasuredTree, measureTree } from './process-tree-cpu.js';
import {
  ensurePromptfoo,
  PROMPTFOO_VERSION,
  promptfooEnv,
  promptfooStats,
  writePromptfooConfig,
} from './promptfoo.js';
import { benchVariant } from './single-turn-suite.js';
import { median, round } from './util.js';

/**
 * Peers (issue 13): turnbench beside the tools a user would otherwise reach for, against the same
 * zero-latency sim in its own process. Every figure is the CPU of a whole process tree (the command
 * and every process it started and waited for: bash's `times`, so a Rust binary, a Node CLI with
 * workers and turnbench are counted alike, start-up included) and its wall time; medians of
 * ROUNDS interleaved rounds, the order turned each round.
 * - promptfoo (`promptfoo eval`, pinned, installed on first use) against `turnbench run` (builtin
 *   agent, local sandbox): 500 single-turn requests of the same 10 task texts, 4 at a time. The
 *   requests are not byte-identical: promptfoo sends the bare text, non-streamed; turnbench its
 *   agent's instructions, tools and environment, streamed (the floor bench compares equal bytes).
 * - Codex CLI (`codex exec`, the pinned devDependency, configured the way `agent: codex` configures
 *   it, without its own sandbox as in a turnbench container) against `turnbench run`: conversations
 *   of 20 requests (19 shell commands, then the answer), one at a time; CPU per agent turn.
 * These are comparisons, not targets: the issue reports them as measured.
 */

const ROUNDS = Number(process.env.BENCH_PEERS_ROUNDS ?? 3);
const SINGLE_SAMPLES = 500;
const SINGLE_TASKS = 10;
const CONVERSATIONS = Number(process.env.BENCH_PEERS_CONVERSATIONS ?? 5);
const TURNS = 20;
const CONCURRENCY = 4;
const KEY_ENV = 'TURNBENCH_BENCH_PEERS_KEY';

function singleText(i: number): string {
  return `Peers benchmark task ${i}: reply done ${i}.`;
}

function conversationText(agent: 'turnbench' | 'codex', i: number): string {
  return `Peers benchmark ${agent} conversation ${i}: run the scripted commands, then reply done ${i}.`;
}

function writeTask(dir: string, task: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'task.yaml'), toYaml(task));
}

/**
 * The tasks under `root`: single-turn (`single/`), and 20-turn conversations for turnbench's
 * builtin loop (`conv-turnbench/`, its `shell` tool) and for Codex (`conv-codex/`, its
 * `exec_command`), the same commands in the same order.
 */
function writeTasks(root: string): void {
  for (let i = 0; i < SINGLE_TASKS; i++) {
    writeTask(join(root, 'single', `t${i}`), {
      id: `single-${i}`,
      instructions: singleText(i),
      scorer: { type: 'match', mode: 'contains', expected: `done ${i}` },
      sim: { steps: [], final: `done ${i}` },
    });
  }
  for (let i = 0; i < CONVERSATIONS; i++) {
    const scorer = { type: 'match', mode: 'contains', expected: `done ${i}` };
    const limits = { max_turns: TURNS + 5, wall_timeout_s: 300 };
    const command = `echo step {{i}} of conversation ${i}`;
    writeTask(join(root, 'conv-turnbench', `c${i}`), {
      id: `conv-${i}`,
      instructions: conversationText('turnbench', i),
      scorer,
      limits,
      sim: { steps: [{ repeat: TURNS - 1, shell: command }], final: `done ${i}` },
    });
    writeTask(join(root, 'conv-codex', `c${i}`), {
      id: `codex-${i}`,
      instructions: conversationText('codex', i),
      scorer,
      limits,
      sim: {
        steps: [{ repeat: TURNS - 1, tool: 'exec_command', args: { cmd: command } }],
        final: `done ${i}`,
      },
    });
  }
}

function writeSuite(root: string, name: string, tasks: string[], baseURL: string | null, extra = {}): string {
  const suite = {
    name: `bench-peers-${name}`,
    tasks,
    variants: [benchVariant('peers', baseURL, KEY_ENV)],
    sandbox: { engine: 'local' },
    ...extra,
  };
  const file = join(root, `${name}.yaml`);
  writeFileSync(file, toYaml(suite));
  return file;
}

/** What `turnbench run --json` prints, as far as this bench reads it. */
const RunSummarySchema = z.looseObject({
  status: z.string(),
  variants: z.array(z.looseObject({ samples: z.number(), passed: z.number(), turns: z.number() })).length(1),
});

interface Measured extends MeasuredTree {
  turns: number;
}

/** `turnbench run --json` as a user runs it; every sample must pass. */
async function runTurnbench(root: string, suite: string, runId: string, expected: number): Promise<Measured> {
  const main = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  const measured = await measureTree(
    process.execPath,
    [main, 'run', suite, '--results-dir', join(root, 'results'), '--run-id', runId, '--json'],
    { env: { ...process.env, [KEY_ENV]: 'bench-not-a-secret' } },
  );
  const { status, variants } = RunSummarySchema.parse(JSON.parse(measured.stdout));
  const { samples, passed, turns } = variants[0]!;
  if (status !== 'completed' || samples !== expected || passed !== expected)
    throw new Error(
      `turnbench ${runId} ${status}: ${passed} of ${samples} samples passed, expected ${expected}`,
    );
  return { ...measured, turns };
}

async function runPromptfoo(root: string, entry: string, config: string, i: number): Promise<Measured> {
  const output = join(root, `promptfoo-${i}.json`);
  const measured = await measureTree(
    process.execPath,
    [
      entry,
      'eval',
      '-c',
      config,
      '--no-cache',
      '--no-write',
      '--no-table',
      '--no-progress-bar',
      '--max-concurrency',
      String(CONCURRENCY),
      '-o',
      output,
    ],
    { cwd: root, env: promptfooEnv(join(root, 'promptfoo-home')) },
  );
  const stats = promptfooStats(output);
  if (stats.successes !== SINGLE_SAMPLES || stats.requests !== SINGLE_SAMPLES)
    throw new Error(
      `promptfoo: ${stats.successes} of ${SINGLE_SAMPLES} tests passed with ${stats.requests} requests (${stats.failures} failed, ${stats.errors} errors)`,
    );
  return { ...measured, turns: stats.requests };
}

/** One `codex exec` per conversation, one after another; every request is counted from Codex's own log. */
async function runCodex(root: string, baseURL: string, round_: number): Promise<Measured> {
  const build = findCodexBuild();
  const binary = join(build.dir, build.entrypoint);
  let cpu = 0;
  let wall = 0;
  let turns = 0;
  for (let i = 0; i < CONVERSATIONS; i++) {
    const home = join(root, `codex-${round_}-${i}`);
    const work = join(home, 'work');
    mkdirSync(work, { recursive: true });
    const lastMessageFile = join(home, 'last-message.txt');
    const setup = codexSetup(
      {
        model: 'sim-1',
        reasoning_effort: undefined,
        compaction: { policy: 'none', threshold: 16_000 },
        developer_message: undefined,
      },
      { type: 'codex', config: {}, args: [] },
      { baseUrl: `${baseURL}/v1`, lastMessageFile },
    );
    writeFileSync(join(home, 'config.toml'), setup.configToml);
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: work,
      CODEX_HOME: home,
      LANG: 'C.UTF-8',
      ...setup.env,
    };
    const measured = await measureTree(binary, setup.args, {
      cwd: work,
      env,
      input: conversationText('codex', i),
    });
    cpu += measured.cpu_ms;
    wall += measured.wall_ms;
    const logs = readdirSync(join(home, 'sessions'), { recursive: true, encoding: 'utf8' }).filter((f) =>
      /rollout-.*\.jsonl$/.test(f),
    );
    if (logs.length !== 1)
      throw new Error(`codex conversation ${i}: ${logs.length} session logs, expected 1`);
    const log = await readSessionLog(join(home, 'sessions', logs[0]!));
    if (log.requests.length !== TURNS)
      throw new Error(
        `codex conversation ${i}: ${log.requests.length} requests in its log, expected ${TURNS}`,
      );
    turns += log.requests.length;
  }
  return { cpu_ms: cpu, wall_ms: wall, stdout: '', turns };
}

function figures(runs: Measured[], perTurn: boolean) {
  const cpu = median(runs.map((r) => r.cpu_ms));
  const turns = runs[0]?.turns ?? Number.NaN;
  return {
    cpu_ms_median: round(cpu, 1),
    wall_ms_median: round(median(runs.map((r) => r.wall_ms)), 1),
    requests: turns,
    ...(perTurn ? { cpu_ms_per_turn: round(cpu / turns, 3) } : {}),
    cpu_ms_runs: runs.map((r) => round(r.cpu_ms, 1)),
  };
}

export async function benchPeers(): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'turnbench-bench-peers-'));
  let sim: ChildSim | null = null;
  try {
    writeTasks(root);
    const simSuite = writeSuite(root, 'sim', ['single/*', 'conv-turnbench/*', 'conv-codex/*'], null);
    sim = await startChildSim(simSuite);
    const singleSuite = writeSuite(root, 'single', ['single/*'], sim.url, {
      epochs: SINGLE_SAMPLES / SINGLE_TASKS,
      concurrency: { samples: CONCURRENCY },
    });
    const convSuite = writeSuite(root, 'conversation', ['conv-turnbench/*'], sim.url, {
      concurrency: { samples: 1 },
    });
    const tests = Array.from({ length: SINGLE_SAMPLES }, (_, k) => ({
      text: singleText(k % SINGLE_TASKS),
      expected: `done ${k % SINGLE_TASKS}`,
    }));
    const promptfooConfig = join(root, 'promptfooconfig.yaml');
    writePromptfooConfig(promptfooConfig, sim.url, tests);

    let promptfoo: string | null = null;
    let promptfooProblem: string | null = null;
    try {
      promptfoo = await ensurePromptfoo((line) => console.log(`  ${line}`));
    } catch (error) {
      promptfooProblem = (error as Error).message;
    }
    let codexProblem: string | null = null;
    try {
      findCodexBuild();
    } catch (error) {
      codexProblem = (error as Error).message;
    }

    type Name = 'turnbench_single' | 'promptfoo_single' | 'turnbench_conversation' | 'codex_conversation';
    const steps: Record<Name, ((i: number) => Promise<Measured>) | null> = {
      turnbench_single: (i) => runTurnbench(root, singleSuite, `single-${i}`, SINGLE_SAMPLES),
      promptfoo_single: promptfoo ? (i) => runPromptfoo(root, promptfoo!, promptfooConfig, i) : null,
      turnbench_conversation: (i) => runTurnbench(root, convSuite, `conv-${i}`, CONVERSATIONS),
      codex_conversation: codexProblem ? null : (i) => runCodex(root, sim!.url, i),
    };
    const names = (Object.keys(steps) as Name[]).filter((n) => steps[n] !== null);
    // One untimed round first: installs settle, compile caches fill, every check runs once.
    for (const name of names) await steps[name]!(-1);
    const runs = Object.fromEntries(names.map((n) => [n, [] as Measured[]])) as Record<Name, Measured[]>;
    for (let i = 0; i < ROUNDS; i++) {
      const order = i % 2 === 0 ? names : [...names].reverse();
      for (const name of order) runs[name].push(await steps[name]!(i));
    }

    const single = {
      turnbench: figures(runs.turnbench_single, false),
      promptfoo: promptfoo ? figures(runs.promptfoo_single, false) : { skipped: promptfooProblem },
    };
    const conversation = {
      turnbench: figures(runs.turnbench_conversation, true),
      codex: codexProblem ? { skipped: codexProblem } : figures(runs.codex_conversation, true),
    };
    const ratio = (a: number | undefined, b: number | undefined) =>
      a !== undefined && b !== undefined && b > 0 ? round(a / b, 3) : null;
    const tb = single.turnbench;
    const pf = 'cpu_ms_median' in single.promptfoo ? single.promptfoo : undefined;
    const tbConv = conversation.turnbench;
    const cx = 'cpu_ms_median' in conversation.codex ? conversation.codex : undefined;
    const ratios = {
      single_cpu_turnbench_vs_promptfoo: ratio(tb.cpu_ms_median, pf?.cpu_ms_median),
      single_wall_turnbench_vs_promptfoo: ratio(tb.wall_ms_median, pf?.wall_ms_median),
      conversation_cpu_per_turn_turnbench_vs_codex: ratio(tbConv.cpu_ms_per_turn, cx?.cpu_ms_per_turn),
      conversation_wall_turnbench_vs_codex: ratio(tbConv.wall_ms_median, cx?.wall_ms_median),
    };
    return {
      bench: 'peers',
      note:
        'whole process tree CPU (bash times: the command and every process it waited for, start-up included) and wall time, ' +
        `medians of ${ROUNDS} interleaved rounds after one untimed round; the sim in its own process; comparisons, not targets`,
      promptfoo_version: PROMPTFOO_VERSION,
      single_turn: { samples: SINGLE_SAMPLES, concurrency: CONCURRENCY, ...single },
      conversation: { conversations: CONVERSATIONS, turns: TURNS, concurrency: 1, ...conversation },
      ratios,
      problems: { promptfoo: promptfooProblem, codex: codexProblem },
      sim_cpu_ms: sim.cpuMs(),
      targets: [],
    };
  } finally {
    await sim?.close();
    rmSync(root, { recursive: true, force: true });
  }
}
