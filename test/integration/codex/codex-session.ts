import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ResponseUsage } from 'openai/resources/responses/responses';
import { z } from 'zod';

/** Running the pinned `@openai/codex` CLI and reading its own session log. */

const CODEX_JS = createRequire(import.meta.url).resolve('@openai/codex/bin/codex.js');

export interface CodexRun {
  code: number | null;
  output: string;
}

/** `codex exec` on a task, non-interactive, with everything allowed (it runs in a temp dir). */
export function codexExec(
  task: string,
  opts: { cwd: string; codexHome: string; env: NodeJS.ProcessEnv },
): Promise<CodexRun> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [CODEX_JS, 'exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', task],
      {
        cwd: opts.cwd,
        env: { ...process.env, ...opts.env, CODEX_HOME: opts.codexHome, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Token usage as Codex logs it (`last_token_usage`, and `usage` of a `token_usage_record`). */
const CodexUsageSchema = z.object({
  input_tokens: z.number(),
  cached_input_tokens: z.number(),
  cache_write_input_tokens: z.number().optional(),
  output_tokens: z.number(),
  reasoning_output_tokens: z.number(),
  total_tokens: z.number(),
});
export type CodexUsage = z.infer<typeof CodexUsageSchema>;

const LineSchema = z.looseObject({ type: z.string(), payload: z.unknown() });
const TokenCountSchema = z.looseObject({
  type: z.literal('token_count'),
  info: z.looseObject({ last_token_usage: CodexUsageSchema }).nullable(),
});
const UsageRecordSchema = z.looseObject({ response_id: z.string(), usage: CodexUsageSchema });

export interface CodexSession {
  /** Per-request usage from `token_count` events, identical repeats folded into one. */
  tokenCounts: CodexUsage[];
  /** Per-response usage from `token_usage_record` lines, by response id. */
  byResponse: Map<string, CodexUsage>;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** The one rollout `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl` of a run. */
export async function readCodexSession(codexHome: string): Promise<CodexSession> {
  const rollouts = (await filesUnder(join(codexHome, 'sessions'))).filter((f) =>
    /rollout-.*\.jsonl$/.test(f),
  );
  if (rollouts.length !== 1) throw new Error(`expected one rollout, found ${rollouts.length}`);
  const tokenCounts: CodexUsage[] = [];
  const byResponse = new Map<string, CodexUsage>();
  for (const text of (await readFile(rollouts[0]!, 'utf8')).split('\n')) {
    if (text.trim() === '') continue;
    const line = LineSchema.parse(JSON.parse(text));
    if (line.type === 'event_msg') {
      const count = TokenCountSchema.safeParse(line.payload);
      if (count.success && count.data.info) {
        const usage = count.data.info.last_token_usage;
        if (JSON.stringify(tokenCounts.at(-1)) !== JSON.stringify(usage)) tokenCounts.push(usage);
      }
    } else if (line.type === 'token_usage_record') {
      const record = UsageRecordSchema.parse(line.payload);
      byResponse.set(record.response_id, record.usage);
    }
  }
  return { tokenCounts, byResponse };
}

/** The Responses API usage of one response in Codex's terms. */
export function asCodexUsage(usage: ResponseUsage): CodexUsage {
  return {
    input_tokens: usage.input_tokens,
    cached_input_tokens: usage.input_tokens_details.cached_tokens,
    cache_write_input_tokens: usage.input_tokens_details.cache_write_tokens,
    output_tokens: usage.output_tokens,
    reasoning_output_tokens: usage.output_tokens_details.reasoning_tokens,
    total_tokens: usage.total_tokens,
  };
}
