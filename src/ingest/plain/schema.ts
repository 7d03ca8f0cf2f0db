import * as z from 'zod';

/**
 * The plain session format: one JSON object per line, for agents other than Codex.
 * Documented in docs/ingest.md; the schema here is the contract.
 */

const count = z.number().int().min(0);

const timestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'not an ISO date-time' });

export const PlainUsageSchema = z
  .looseObject({
    /** All input tokens, cached ones included. */
    input_tokens: count,
    output_tokens: count,
    /** Missing or null: the provider did not say (unknown, never 0). */
    cached_tokens: count.nullish(),
    cache_write_tokens: count.nullish(),
    /** The part of `cache_write_tokens` written with 12-hour retention. */
    cache_write_12h_tokens: count.nullish(),
    reasoning_tokens: count.nullish(),
  })
  .superRefine((u, ctx) => {
    const part = u.cache_write_12h_tokens;
    if (part === null || part === undefined) return;
    if (u.cache_write_tokens === null || u.cache_write_tokens === undefined || part > u.cache_write_tokens) {
      ctx.addIssue({
        code: 'custom',
        path: ['cache_write_12h_tokens'],
        message: 'is a part of cache_write_tokens: give cache_write_tokens too, at least as large',
      });
    }
  });

/** The prompt as sent, Responses-API shaped; when present the request gets the full prefix check. */
export const PlainPromptSchema = z.looseObject({
  instructions: z.string().default(''),
  tools: z.array(z.looseObject({ name: z.string() })).default([]),
  input: z.array(z.looseObject({})),
  prompt_cache_key: z.string().nullish(),
  parallel_tool_calls: z.boolean().nullish(),
});

const common = {
  /** When the request was sent (ISO 8601). */
  timestamp,
  /** Lines with the same session form one conversation. */
  session: z.string().min(1),
  /** The agent that made the requests: the variant of its samples (default `jsonl`). */
  agent: z.string().min(1).nullish(),
  /** A user task within the session, for `--group-by task`. */
  task: z.string().min(1).nullish(),
};

export const PlainRequestLineSchema = z.looseObject({
  type: z.literal('request'),
  ...common,
  model: z.string().min(1),
  reasoning_effort: z.string().nullish(),
  /** `compaction` / `summary` for requests made to compact the history. */
  kind: z.enum(['agent', 'compaction', 'summary']).default('agent'),
  latency_ms: z.number().min(0).nullish(),
  ttft_ms: z.number().min(0).nullish(),
  bytes_sent: count.nullish(),
  response_id: z.string().nullish(),
  provider: z.string().nullish(),
  usage: PlainUsageSchema,
  request: PlainPromptSchema.nullish(),
  /** The response's output items (Responses API); with `request`, they make the next prefix check exact. */
  output: z.array(z.looseObject({ type: z.string() })).nullish(),
  tool_calls: count.nullish(),
});

export const PlainCompactionLineSchema = z.looseObject({
  type: z.literal('compaction'),
  ...common,
  method: z.enum(['endpoint', 'trigger', 'summary']).default('summary'),
  tokens_before: count.nullish(),
  tokens_after: count.nullish(),
});

/** A line without `type` is a request. */
export const PlainLineSchema = z.preprocess(
  (raw) =>
    raw !== null && typeof raw === 'object' && !Array.isArray(raw) && !('type' in raw)
      ? { ...raw, type: 'request' }
      : raw,
  z.discriminatedUnion('type', [PlainRequestLineSchema, PlainCompactionLineSchema]),
);
export type PlainLine = z.infer<typeof PlainLineSchema>;
export type PlainRequestLine = z.infer<typeof PlainRequestLineSchema>;
