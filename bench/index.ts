/**
 * `npm run bench [-- <name>...]`: runs the benchmarks (default: all, in registry order), each in a
 * forked process with --expose-gc; prints a short summary to stderr; writes every figure to
 * bench/results/bench-<timestamp>.json and bench/results/latest.json. A benchmark that fails is
 * recorded with its error and the others still run; the exit code is 1 if any failed.
 *
 * Figures are ratios against baselines measured in the same run. Each benchmark may state targets
 * (bench/targets.ts): they are gathered at the top of the results file and printed as held or not;
 * a target not met does not change the exit code (it is a figure, not a failure).
 */
import { execFileSync, fork } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { ChildMessageSchema } from './protocol.js';
import { BENCH_NAMES, BENCHMARKS, type BenchFigures, type BenchName } from './registry.js';
import { summaryLines } from './summary.js';
import { type StatedTarget, TargetSchema } from './targets.js';
import { errorSummary, megabytes, round } from './util.js';

/** A benchmark still running after this long is killed and recorded as failed (BENCH_TIMEOUT_MIN). */
const BENCH_TIMEOUT_MS =
  z.coerce.number().positive().default(20).parse(process.env.BENCH_TIMEOUT_MIN) * 60_000;

type BenchOutcome =
  | { name: BenchName; ok: true; wall_ms: number; figures: BenchFigures }
  | { name: BenchName; ok: false; wall_ms: number; error: { name: string; message: string; stack?: string } };

const ArgsSchema = z.array(z.enum(BENCH_NAMES));

function usage(): string {
  const lines = BENCH_NAMES.map((name) => `  ${name.padEnd(8)} ${BENCHMARKS[name].about}`);
  return `usage: node dist/bench/index.js [name...]   (default: all)\n${lines.join('\n')}\n`;
}

function parseArgs(argv: string[]): BenchName[] {
  const parsed = ArgsSchema.safeParse(argv);
  if (!parsed.success) {
    const bad = argv.find((a) => !(BENCH_NAMES as string[]).includes(a));
    process.stderr.write(`unknown benchmark "${bad}"\n${usage()}`);
    process.exit(2);
  }
  const picked = parsed.data.length > 0 ? parsed.data : BENCH_NAMES;
  return BENCH_NAMES.filter((name) => picked.includes(name));
}

/** The package root (where package.json is), from dist/bench/ or bench/. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('package.json not found above the bench folder');
}

function gitCommit(root: string): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+dirty` : head;
  } catch {
    return null;
  }
}

function machine(root: string): Record<string, unknown> {
  const list = cpus();
  return {
    cpus: list.length,
    cpu_model: list[0]?.model ?? null,
    total_memory_mb: megabytes(totalmem()),
    free_memory_mb_at_start: megabytes(freemem()),
    load_average_at_start: loadavg().map((l) => round(l)),
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    os_release: release(),
    git_commit: gitCommit(root),
  };
}

function runInChild(name: BenchName): Promise<BenchOutcome> {
  const started = performance.now();
  const wall = () => Math.round(performance.now() - started);
  const script = fileURLToPath(new URL('./child.js', import.meta.url));
  return new Promise((resolve) => {
    const child = fork(script, [name], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let outcome: BenchOutcome | null = null;
    const fail = (message: string) => ({
      name,
      ok: false as const,
      wall_ms: wall(),
      error: { name: 'BenchError', message },
    });
    const timer = setTimeout(() => {
      outcome ??= fail(`timed out after ${BENCH_TIMEOUT_MS / 60_000} minutes`);
      child.kill('SIGKILL');
    }, BENCH_TIMEOUT_MS);
    child.on('message', (raw) => {
      const parsed = ChildMessageSchema.safeParse(raw);
      if (!parsed.success)
        outcome ??= fail(`unreadable message from the benchmark process: ${parsed.error.message}`);
      else if (parsed.data.ok) outcome ??= { name, ok: true, wall_ms: wall(), figures: parsed.data.figures };
      else outcome ??= { name, ok: false, wall_ms: wall(), error: parsed.data.error };
    });
    child.on('error', (error) => {
      outcome ??= { name, ok: false, wall_ms: wall(), error: errorSummary(error) };
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(outcome ?? fail(`benchmark process exited (${signal ?? `code ${code}`}) without reporting`));
    });
  });
}

/** Every target the benchmarks that ran state, each with the benchmark it comes from. */
function gatherTargets(outcomes: BenchOutcome[]): (StatedTarget & { bench: BenchName })[] {
  return outcomes.flatMap((o) => {
    if (!o.ok) return [];
    const parsed = z.array(TargetSchema).safeParse(o.figures.targets ?? []);
    if (!parsed.success) return [];
    return parsed.data.map((t) => ({ bench: o.name, ...t }));
  });
}

function targetLine(t: StatedTarget & { bench: BenchName }): string {
  const verdict = t.holds ? 'HOLDS' : 'NOT MET';
  return `${verdict.padEnd(7)} [${t.bench}] ${t.what}: ${t.figure} vs ${t.baseline} ${t.unit} = ${t.ratio}x (limit ${t.limit}x)`;
}

function timestamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

async function main(): Promise<number> {
  const names = parseArgs(process.argv.slice(2));
  const root = packageRoot();
  const startedAt = new Date();
  const info = machine(root);
  process.stderr.write(
    `turnbench bench: ${names.join(', ')} on ${info.cpus} cpus, node ${info.node}, load ${JSON.stringify(info.load_average_at_start)}\n`,
  );

  const outcomes: BenchOutcome[] = [];
  for (const name of names) {
    process.stderr.write(`\n[${name}] ${BENCHMARKS[name].about}\n`);
    const outcome = await runInChild(name);
    outcomes.push(outcome);
    const seconds = (outcome.wall_ms / 1000).toFixed(1);
    if (outcome.ok) {
      for (const line of summaryLines(name, outcome.figures)) process.stderr.write(`  ${line}\n`);
      process.stderr.write(`  (${seconds} s)\n`);
    } else {
      process.stderr.write(`  FAILED after ${seconds} s: ${outcome.error.name}: ${outcome.error.message}\n`);
    }
  }

  const failed = outcomes.filter((o) => !o.ok).map((o) => o.name);
  const targets = gatherTargets(outcomes);
  if (targets.length > 0) {
    process.stderr.write('\ntargets (figure against the baseline measured in the same run):\n');
    for (const t of targets) process.stderr.write(`  ${targetLine(t)}\n`);
  }
  const results = {
    schema: 1,
    started_at: startedAt.toISOString(),
    ended_at: new Date().toISOString(),
    machine: { ...info, load_average_at_end: loadavg().map((l) => round(l)) },
    benchmarks: Object.fromEntries(
      outcomes.map((o) => [
        o.name,
        o.ok
          ? { ok: true, wall_ms: o.wall_ms, figures: o.figures }
          : { ok: false, wall_ms: o.wall_ms, error: o.error },
      ]),
    ),
    failed,
    targets: {
      held: targets.filter((t) => t.holds).length,
      not_held: targets.filter((t) => !t.holds).length,
      list: targets,
    },
  };
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const text = `${JSON.stringify(results, null, 2)}\n`;
  const file = join(dir, `bench-${timestamp(startedAt)}.json`);
  writeFileSync(file, text);
  writeFileSync(join(dir, 'latest.json'), text);
  process.stderr.write(
    `\nwrote ${file} (and latest.json)${failed.length ? `; FAILED: ${failed.join(', ')}` : ''}\n`,
  );
  return failed.length > 0 ? 1 : 0;
}

process.exitCode = await main();
