import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResponseUsage } from 'openai/resources/responses/responses';
import * as z from 'zod';
import { type CodexSessionLog, findCodexBuild, readSessionLog } from '../../src/agents/index.js';
import { parseCodexLine } from '../../src/ingest/codex/parse-line.js';
import { asNormalisedUsage } from '../../src/ingest/token-counts.js';
import { type NormalisedUsage, normaliseResponsesUsage } from '../../src/model/index.js';
import { type CodexConfigOptions, codexConfigToml } from './codex-config.js';

/**
 * Running the real Codex CLI (`codex exec`, npm `@openai/codex`, pinned in devDependencies)
 * straight against a Responses endpoint on the host, and reading its session log. The native
 * binary is the one the product runs (`findCodexBuild`: the platform package that
 * `@openai/codex` lists as an optional dependency); nothing is downloaded.
 */

export interface CodexExecOptions {
  /** A private CODEX_HOME (config.toml is written into it; sessions land under it). */
  codexHome: string;
  /** The working directory Codex works in. */
  cwd: string;
  prompt: string;
  /** Images attached to the prompt (`codex exec -i`). */
  images?: string[];
  /** Continue the most recent session of this CODEX_HOME with the prompt (`codex exec resume --last`). */
  resumeLast?: boolean;
  config: CodexConfigOptions;
  /** Extra environment (e.g. the variable `config.apiKeyEnv` names). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface CodexExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The agent's last message (`codex exec -o`). */
  lastMessage: string;
}

const running = new Set<ChildProcess>();

/** Kill every `codex exec` still running (for a test's teardown after a timeout). */
export function stopCodexRuns(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/**
 * A real-Codex test's teardown: Codex runs still going are killed, then the recording proxy and
 * the sim closed and the test's temp folders removed (`dirs` is emptied).
 */
export async function closeCodexTest(held: {
  proxy?: { close(): Promise<void> } | undefined;
  sim?: { close(): Promise<void> } | undefined;
  dirs: string[];
}): Promise<void> {
  stopCodexRuns();
  await held.proxy?.close();
  await held.sim?.close();
  for (const d of held.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/**
 * `codex exec` non-interactively: approvals off (`approval_policy = "never"` in config.toml),
 * commands in Codex's own sandbox (`workspace-write` unless the config says otherwise: its
 * bundled bubblewrap starts as root on this host), `--strict-config` so a config key this version
 * does not know is an error, stdin closed, and an environment without the caller's API keys.
 */
export function runCodexExec(o: CodexExecOptions): Promise<CodexExecResult> {
  mkdirSync(o.codexHome, { recursive: true });
  writeFileSync(
    join(o.codexHome, 'config.toml'),
    codexConfigToml({ sandboxMode: 'workspace-write', ...o.config }),
  );
  const lastMessageFile = join(o.codexHome, 'last-message.txt');
  const args = [
    'exec',
    '--strict-config',
    '--skip-git-repo-check',
    '--color',
    'never',
    '-C',
    o.cwd,
    '-o',
    lastMessageFile,
    ...(o.images ?? []).flatMap((image) => ['-i', image]),
    ...(o.resumeLast ? ['resume', '--last'] : []),
    // `-i` takes several values: the prompt must not be read as one more
    '--',
    o.prompt,
  ];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? o.codexHome,
    CODEX_HOME: o.codexHome,
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    ...o.env,
  };
  const build = findCodexBuild();
  return new Promise((resolve, reject) => {
    const child = spawn(join(build.dir, build.entrypoint), args, {
      cwd: o.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 180_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      running.delete(child);
      const lastMessage = existsSync(lastMessageFile) ? readFileSync(lastMessageFile, 'utf8') : '';
      resolve({ code, stdout, stderr, lastMessage });
    });
  });
}

// ---------------------------------------------------------------- the session log

const TurnContextSchema = z.looseObject({
  approval_policy: z.string(),
  sandbox_policy: z.looseObject({ type: z.string() }),
});

export interface CodexSession {
  /** The requests as the product reads the log (`readSessionLog`: token_usage_record lines, by response id). */
  log: CodexSessionLog;
  /**
   * Codex's other account: each `token_count` event's `last_token_usage`, in order, a repeated
   * event (the same running total) once. Codex sends none for a compaction_trigger request.
   */
  tokenCounts: NormalisedUsage[];
  /** Approval policy and sandbox policy type of each `turn_context` line. */
  turnContexts: Array<{ approval: string; sandbox: string }>;
}

function findFiles(dir: string, pattern: RegExp, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findFiles(path, pattern, out);
    else if (pattern.test(name)) out.push(path);
  }
  return out;
}

/** The one rollout of a `codex exec` run: `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl`. */
export async function readCodexSession(codexHome: string): Promise<CodexSession> {
  const files = findFiles(join(codexHome, 'sessions'), /^rollout-.*\.jsonl$/);
  if (files.length !== 1)
    throw new Error(`expected one rollout under ${codexHome}/sessions, found ${files.length}`);
  const file = files[0] as string;
  const turnContexts: CodexSession['turnContexts'] = [];
  const tokenCounts: NormalisedUsage[] = [];
  let lastTotal: number | null = null;
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    if (raw.includes('"turn_context"')) {
      const line = JSON.parse(raw) as { type?: unknown; payload?: unknown };
      if (line.type !== 'turn_context') continue;
      const context = TurnContextSchema.parse(line.payload);
      turnContexts.push({ approval: context.approval_policy, sandbox: context.sandbox_policy.type });
    } else if (raw.includes('"token_count"')) {
      const parsed = parseCodexLine(JSON.parse(raw));
      if (!parsed.ok) throw new Error(`${file}: ${parsed.error}`);
      const line = parsed.line;
      if (line.kind !== 'usage' || line.from !== 'token_count' || !line.last) continue;
      if (line.total?.total != null && line.total.total === lastTotal) continue; // a repeat
      lastTotal = line.total?.total ?? null;
      const usage = asNormalisedUsage(line.last);
      if (usage) tokenCounts.push(usage);
    }
  }
  return { log: await readSessionLog(file), tokenCounts, turnContexts };
}

/** A sim response's usage in the terms Codex's log is read in. */
export function usageOf(u: ResponseUsage | undefined): NormalisedUsage {
  if (!u) throw new Error('a response without usage');
  return normaliseResponsesUsage(u);
}

/**
 * Runs a work folder's Python tests as they now stand. Bytecode goes to a fresh folder of its
 * own: Codex ran the tests before its fix, and a same-size edit within the same second leaves
 * __pycache__ looking current (pyc checks mtime in seconds and size), so the old code would run.
 */
export function runPythonTests(work: string): void {
  const pycache = mkdtempSync(join(tmpdir(), 'tb-pycache-'));
  try {
    execFileSync('python3', ['-m', 'unittest', '-q'], {
      cwd: work,
      stdio: 'pipe',
      env: { ...process.env, PYTHONPYCACHEPREFIX: pycache },
    });
  } finally {
    rmSync(pycache, { recursive: true, force: true });
  }
}
