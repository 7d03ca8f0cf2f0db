import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ResponseUsage } from 'openai/resources/responses/responses';
import { z } from 'zod';
import { type CodexConfigOptions, codexConfigToml } from '../../src/agents/codex-config.js';

/**
 * Running the real Codex CLI (`codex exec`, npm `@openai/codex`, pinned in devDependencies)
 * against a Responses endpoint, and reading its session log. The native binary comes in with
 * the platform package that `@openai/codex` lists as an optional dependency; nothing is
 * downloaded.
 */

const PLATFORM_PACKAGES: Record<string, { pkg: string; triple: string }> = {
  'linux-x64': { pkg: '@openai/codex-linux-x64', triple: 'x86_64-unknown-linux-musl' },
  'linux-arm64': { pkg: '@openai/codex-linux-arm64', triple: 'aarch64-unknown-linux-musl' },
  'darwin-x64': { pkg: '@openai/codex-darwin-x64', triple: 'x86_64-apple-darwin' },
  'darwin-arm64': { pkg: '@openai/codex-darwin-arm64', triple: 'aarch64-apple-darwin' },
};

/** Path of the native `codex` binary inside this platform's optional package. */
export function codexBinaryPath(): string {
  const key = `${process.platform}-${process.arch}`;
  const entry = PLATFORM_PACKAGES[key];
  if (!entry) throw new Error(`@openai/codex: no native package for ${key}`);
  const require = createRequire(import.meta.url);
  let packageJson: string;
  try {
    packageJson = require.resolve(`${entry.pkg}/package.json`);
  } catch {
    throw new Error(`${entry.pkg} is not installed (an optional dependency of @openai/codex): run npm ci`);
  }
  const binary = join(dirname(packageJson), 'vendor', entry.triple, 'bin', 'codex');
  if (!existsSync(binary)) throw new Error(`the Codex binary is missing at ${binary}`);
  return binary;
}

export interface CodexExecOptions {
  /** A private CODEX_HOME (config.toml is written into it; sessions land under it). */
  codexHome: string;
  /** The working directory Codex works in. */
  cwd: string;
  prompt: string;
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
  return new Promise((resolve, reject) => {
    const child = spawn(codexBinaryPath(), args, { cwd: o.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
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

const TokenUsageSchema = z.looseObject({
  input_tokens: z.number(),
  cached_input_tokens: z.number(),
  cache_write_input_tokens: z.number().optional(),
  output_tokens: z.number(),
  reasoning_output_tokens: z.number(),
  total_tokens: z.number(),
});
export type CodexTokenUsage = z.infer<typeof TokenUsageSchema>;

const RolloutLineSchema = z.looseObject({ type: z.string(), payload: z.unknown() });
const TokenCountSchema = z.looseObject({
  type: z.literal('token_count'),
  info: z.looseObject({ last_token_usage: TokenUsageSchema }).nullable(),
});
const TokenUsageRecordSchema = z.looseObject({ response_id: z.string(), usage: TokenUsageSchema });
const TurnContextSchema = z.looseObject({
  approval_policy: z.string(),
  sandbox_policy: z.looseObject({ type: z.string() }),
});

export interface CodexSessionLog {
  file: string;
  /** `event_msg` token_count events with info, `info.last_token_usage`, in order (repeats kept). */
  tokenCounts: CodexTokenUsage[];
  /** `token_usage_record` lines: per response id, the usage Codex booked. */
  usageByResponse: Map<string, CodexTokenUsage>;
  /** Count of each line type (`response_item`, `compacted`, ...). */
  lineTypes: Map<string, number>;
  /** Approval policy and sandbox policy type of each `turn_context` line. */
  turnContexts: Array<{ approval: string; sandbox: string }>;
}

/**
 * What Codex booked per request in its `token_count` events: each `last_token_usage` once (an
 * event repeats), without the reset a compaction writes (no input, no output; its total is
 * Codex's estimate of the compacted context). Codex writes none for a remote
 * (`compaction_trigger`) compaction turn; `usageByResponse` has every response.
 */
export function perRequestTokenCounts(log: CodexSessionLog): CodexTokenUsage[] {
  const counts: CodexTokenUsage[] = [];
  for (const c of log.tokenCounts) {
    if (c.input_tokens === 0 && c.output_tokens === 0) continue;
    if (JSON.stringify(c) !== JSON.stringify(counts.at(-1))) counts.push(c);
  }
  return counts;
}

/** A Responses API usage in the terms of Codex's session log. */
export function asCodexUsage(u: ResponseUsage | undefined): CodexTokenUsage {
  if (!u) throw new Error('a response without usage');
  return {
    input_tokens: u.input_tokens,
    cached_input_tokens: u.input_tokens_details.cached_tokens,
    cache_write_input_tokens: u.input_tokens_details.cache_write_tokens ?? 0,
    output_tokens: u.output_tokens,
    reasoning_output_tokens: u.output_tokens_details.reasoning_tokens,
    total_tokens: u.total_tokens,
  };
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
export function readCodexSession(codexHome: string): CodexSessionLog {
  const files = findFiles(join(codexHome, 'sessions'), /^rollout-.*\.jsonl$/);
  if (files.length !== 1)
    throw new Error(`expected one rollout under ${codexHome}/sessions, found ${files.length}`);
  const file = files[0] as string;
  const log: CodexSessionLog = {
    file,
    tokenCounts: [],
    usageByResponse: new Map(),
    lineTypes: new Map(),
    turnContexts: [],
  };
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .forEach((text, i) => {
      const line = RolloutLineSchema.safeParse(JSON.parse(text));
      if (!line.success) throw new Error(`${file}:${i + 1}: not a rollout line`);
      log.lineTypes.set(line.data.type, (log.lineTypes.get(line.data.type) ?? 0) + 1);
      if (line.data.type === 'event_msg') {
        const count = TokenCountSchema.safeParse(line.data.payload);
        if (count.success && count.data.info) log.tokenCounts.push(count.data.info.last_token_usage);
      } else if (line.data.type === 'turn_context') {
        const context = TurnContextSchema.parse(line.data.payload);
        log.turnContexts.push({ approval: context.approval_policy, sandbox: context.sandbox_policy.type });
      } else if (line.data.type === 'token_usage_record') {
        const record = TokenUsageRecordSchema.parse(line.data.payload);
        log.usageByResponse.set(record.response_id, record.usage);
      }
    });
  return log;
}
