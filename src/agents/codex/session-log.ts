import { z } from 'zod';
import type { NormalisedUsage } from '../../model/index.js';

/**
 * The per-request usage in a Codex session log (`$CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl`).
 * Two kinds of lines carry it:
 * - `event_msg` of type `token_count`: `info.last_token_usage` is the last request's usage and
 *   `info.total_token_usage` the running total. Codex writes the same event more than once, so an
 *   event whose total equals the previous one's is a repeat and is counted once. (`info` may be null.)
 * - `token_usage_record` (Codex 0.170 and later): one line per model request, with its response id.
 * Codex's token_count leaves the compaction request (`compaction_trigger`) out; token_usage_record
 * has it.
 */

const count = z.number().int().min(0);
const TokenUsageSchema = z.looseObject({
  input_tokens: count,
  cached_input_tokens: count.nullish(),
  cache_write_input_tokens: count.nullish(),
  output_tokens: count,
  reasoning_output_tokens: count.nullish(),
});
type TokenUsage = z.infer<typeof TokenUsageSchema>;

const LineSchema = z.looseObject({ type: z.string(), payload: z.unknown() });
const SessionMetaSchema = z.looseObject({ id: z.string() });
const TokenCountSchema = z.looseObject({
  type: z.literal('token_count'),
  info: z.looseObject({ total_token_usage: TokenUsageSchema, last_token_usage: TokenUsageSchema }).nullish(),
});
const UsageRecordSchema = z.looseObject({
  response_id: z.string().nullish(),
  thread_id: z.string().nullish(),
  usage: TokenUsageSchema,
});

export interface LoggedRequest {
  responseId: string | null;
  usage: NormalisedUsage;
}

export interface CodexSessionLog {
  /** The thread the log belongs to (`session_meta.payload.id`); null when the log has no meta line. */
  sessionId: string | null;
  /** One per request Codex counted in `token_count`, repeats dropped, in order. */
  tokenCounts: NormalisedUsage[];
  /** One per `token_usage_record` line, in order (empty for Codex before 0.170). */
  records: LoggedRequest[];
  /** Lines that were not JSON (a log cut by a kill); the rest is still read. */
  unreadableLines: number;
}

function normalised(usage: TokenUsage): NormalisedUsage {
  return {
    inputTokens: usage.input_tokens,
    cachedTokens: usage.cached_input_tokens ?? null,
    cacheWriteTokens: usage.cache_write_input_tokens ?? null,
    outputTokens: usage.output_tokens,
    reasoningTokens: usage.reasoning_output_tokens ?? null,
  };
}

const totalKey = (usage: TokenUsage) =>
  `${usage.input_tokens}/${usage.cached_input_tokens ?? 0}/${usage.output_tokens}/${usage.reasoning_output_tokens ?? 0}`;

export function parseSessionLog(text: string): CodexSessionLog {
  const log: CodexSessionLog = { sessionId: null, tokenCounts: [], records: [], unreadableLines: 0 };
  let lastTotal: string | null = null;
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      log.unreadableLines += 1;
      continue;
    }
    const line = LineSchema.safeParse(json);
    if (!line.success) continue;
    const { type, payload } = line.data;
    if (type === 'session_meta') {
      const meta = SessionMetaSchema.safeParse(payload);
      if (meta.success && log.sessionId === null) log.sessionId = meta.data.id;
    } else if (type === 'event_msg') {
      const event = TokenCountSchema.safeParse(payload);
      if (!event.success || !event.data.info) continue;
      const key = totalKey(event.data.info.total_token_usage);
      if (key === lastTotal) continue;
      lastTotal = key;
      log.tokenCounts.push(normalised(event.data.info.last_token_usage));
    } else if (type === 'token_usage_record') {
      const record = UsageRecordSchema.safeParse(payload);
      if (record.success) {
        log.records.push({
          responseId: record.data.response_id ?? null,
          usage: normalised(record.data.usage),
        });
      }
    }
  }
  return log;
}
