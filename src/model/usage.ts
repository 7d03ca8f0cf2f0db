import * as z from 'zod';
import { parseOptions } from '../config/parse-once.js';
import type { NormalisedUsage } from './types.js';

/**
 * Usage from the wire is validated loosely: compatible servers omit fields, and a missing
 * field must become `null` (unknown), never 0.
 */
const count = z.number().int().min(0);

/** Writes by retention: 30-minute and 12-hour (`prompt_cache_options.ttl`); they add up to the total. */
const CacheWriteDetailsSchema = z.object({
  ttl_12h_tokens: count.nullish(),
  ttl_30m_tokens: count.nullish(),
});

const ResponsesUsageSchema = z.object({
  input_tokens: count,
  output_tokens: count,
  input_tokens_details: z
    .object({
      cached_tokens: count.nullish(),
      cache_write_tokens: count.nullish(),
      cache_write_tokens_details: CacheWriteDetailsSchema.nullish(),
    })
    .partial()
    .nullish(),
  output_tokens_details: z.object({ reasoning_tokens: count.nullish() }).partial().nullish(),
});

const ChatUsageSchema = z.object({
  prompt_tokens: count,
  completion_tokens: count,
  prompt_tokens_details: z
    .object({ cached_tokens: count.nullish(), cache_write_tokens: count.nullish() })
    .partial()
    .nullish(),
  completion_tokens_details: z.object({ reasoning_tokens: count.nullish() }).partial().nullish(),
});

export class UsageError extends Error {}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
}

/**
 * The write total and its 12-hour part. A total left out but given by both buckets is their sum.
 * A 12-hour count above the total contradicts it: the split is then unknown (null), not guessed,
 * and the usage itself still counts.
 */
function cacheWrites(
  total: number | null | undefined,
  details: z.infer<typeof CacheWriteDetailsSchema> | null | undefined,
): { total: number | null; ttl12h: number | null } {
  const ttl12h = details?.ttl_12h_tokens ?? null;
  const ttl30m = details?.ttl_30m_tokens ?? null;
  const known = total ?? (ttl12h !== null && ttl30m !== null ? ttl12h + ttl30m : null);
  if (ttl12h !== null && known !== null && ttl12h > known) return { total: known, ttl12h: null };
  return { total: known, ttl12h };
}

export function normaliseResponsesUsage(raw: unknown): NormalisedUsage {
  const parsed = ResponsesUsageSchema.safeParse(raw, parseOptions(ResponsesUsageSchema));
  if (!parsed.success) throw new UsageError(`malformed usage from provider: ${describe(parsed.error)}`);
  const u = parsed.data;
  const writes = cacheWrites(
    u.input_tokens_details?.cache_write_tokens,
    u.input_tokens_details?.cache_write_tokens_details,
  );
  return {
    inputTokens: u.input_tokens,
    cachedTokens: u.input_tokens_details?.cached_tokens ?? null,
    cacheWriteTokens: writes.total,
    cacheWrite12hTokens: writes.ttl12h,
    outputTokens: u.output_tokens,
    reasoningTokens: u.output_tokens_details?.reasoning_tokens ?? null,
  };
}

export function normaliseChatUsage(raw: unknown): NormalisedUsage {
  const parsed = ChatUsageSchema.safeParse(raw, parseOptions(ChatUsageSchema));
  if (!parsed.success) throw new UsageError(`malformed usage from provider: ${describe(parsed.error)}`);
  const u = parsed.data;
  return {
    inputTokens: u.prompt_tokens,
    cachedTokens: u.prompt_tokens_details?.cached_tokens ?? null,
    cacheWriteTokens: u.prompt_tokens_details?.cache_write_tokens ?? null,
    // Chat Completions keeps 30-minute writes only (its prompt_cache_options.ttl is 30m or nothing).
    cacheWrite12hTokens: null,
    outputTokens: u.completion_tokens,
    reasoningTokens: u.completion_tokens_details?.reasoning_tokens ?? null,
  };
}

export const ZERO_USAGE: NormalisedUsage = {
  inputTokens: 0,
  cachedTokens: 0,
  cacheWriteTokens: 0,
  cacheWrite12hTokens: 0,
  outputTokens: 0,
  reasoningTokens: 0,
};
