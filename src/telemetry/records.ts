import * as z from 'zod';

/**
 * The results contract between the runner and everything that reads a run.
 * Every line of samples.jsonl / turns.jsonl / events.jsonl parses with one of these.
 * Bump SCHEMA_VERSION on any incompatible change.
 */
export const SCHEMA_VERSION = 1 as const;

const nullableCount = z.number().int().min(0).nullable();
/** Added after schema 1 was fixed: a record written before it has none, which reads as unknown. */
const cacheWrite12h = nullableCount.default(null);

export const PrefixCheckSchema = z.object({
  /** null on the first turn of a sample (nothing to extend). */
  extends_previous: z.boolean().nullable(),
  /** 'tools' | 'instructions' | 'model' | 'settings' | index of the first differing input item. */
  diverged_at: z.union([z.enum(['tools', 'instructions', 'model', 'settings']), z.number().int()]).nullable(),
  reason: z
    .enum([
      'tools_changed',
      'tools_reordered',
      'instructions_changed',
      'model_changed',
      'item_changed',
      'items_removed',
      'compacted',
      'settings_changed',
      'prompt_cache_key_changed',
      /** Ingested logs: the prompt held (or cannot be checked) but the gap since the previous request outlived the cache. */
      'ttl_expired',
      /** Ingested logs: cached tokens dropped and the log holds no evidence why. */
      'unexplained',
    ])
    .nullable(),
  /** Tokens after the break that could have been read from cache. */
  lost_tokens: z.number().int().min(0).nullable(),
  /** Human-readable detail: which tool moved, which item changed and how. */
  detail: z.string().nullable(),
});
export type PrefixCheck = z.infer<typeof PrefixCheckSchema>;

export const CacheClassSchema = z.enum([
  'hit',
  'harness_break',
  'provider_miss',
  'below_minimum',
  'first_turn',
  'unknown',
  /** compaction and summary requests: a prompt of their own, not checked against the loop's */
  'not_checked',
]);
export type CacheClass = z.infer<typeof CacheClassSchema>;

/** Who a turn or sample record belongs to. */
const sampleIdentity = {
  schema: z.literal(SCHEMA_VERSION),
  run_id: z.string(),
  sample_id: z.string(),
  task_id: z.string(),
  variant: z.string(),
  epoch: z.number().int().min(1),
};

export const TurnRecordSchema = z.object({
  ...sampleIdentity,
  /** 1-based index of the model request within the sample. */
  turn: z.number().int().min(1),
  /**
   * `agent` for loop turns; `compaction` / `summary` for requests made to compact the history;
   * `warmup` for a request that only prefills the prompt (`generate: false`, which Codex sends over
   * WebSocket before its first turn): billed input, no output.
   */
  kind: z.enum(['agent', 'compaction', 'summary', 'warmup']),
  started_at: z.string(),
  /** null when the source cannot tell (an ingested log that marks no request start). */
  latency_ms: z.number().min(0).nullable(),
  ttft_ms: z.number().min(0).nullable(),
  provider: z.string(),
  model: z.string(),
  response_id: z.string().nullable(),
  input_tokens: z.number().int().min(0),
  cached_tokens: nullableCount,
  cache_write_tokens: nullableCount,
  /**
   * The part of `cache_write_tokens` written with 12-hour retention (billed at `cache_write_12h`);
   * null when the provider gives no retention split, and in records written before the field.
   */
  cache_write_12h_tokens: cacheWrite12h,
  output_tokens: z.number().int().min(0),
  reasoning_tokens: nullableCount,
  /** cached / input for this turn; null when the provider did not report cached tokens. */
  cache_hit_rate: z.number().min(0).max(1).nullable(),
  /** null when unknown: ingested logs do not hold the request body. */
  bytes_sent: nullableCount,
  /** null when the input items are unknown (an ingested log without the history). */
  item_count: nullableCount,
  instructions_hash: z.string(),
  tools_hash: z.string(),
  items_hash: z.string(),
  prefix: PrefixCheckSchema,
  expected_cached_tokens: nullableCount,
  cache_class: CacheClassSchema,
  provider_diagnostics: z.unknown().nullable(),
  /** True when the previous step compacted the history, so a miss here belongs to the compaction. */
  after_compaction: z.boolean(),
  tool_calls: z.number().int().min(0),
  /** null when unknown (ingested logs do not record retries). */
  retries: nullableCount,
  cost_usd: z.number().min(0).nullable(),
  /** Why the provider stopped the output early (`max_output_tokens`, ...); null when it did not. */
  incomplete_reason: z.string().nullable().default(null),
  /**
   * Agent runs (`agent: codex | command`): the conversation the request belongs to, as the
   * recording proxy told them apart (an agent with sub-agents has several per sample).
   */
  conversation: z.string().nullable().optional(),
});
export type TurnRecord = z.infer<typeof TurnRecordSchema>;

/** `skipped`: never started, because the run reached its cost budget (a resume runs it). */
export const SampleStatusSchema = z.enum(['completed', 'limit', 'timeout', 'error', 'cancelled', 'skipped']);
export type SampleStatus = z.infer<typeof SampleStatusSchema>;

/**
 * One model grader's verdict on a sample, with the grader's own usage and cost: these are
 * never added to the sample's (agent's) tokens or cost.
 */
export const SampleGradeSchema = z.object({
  /** Index of the scorer in the task's scorer list (0 for a single scorer). */
  scorer: z.number().int().min(0),
  model: z.string(),
  provider: z.string(),
  started_at: z.string(),
  latency_ms: z.number().min(0),
  response_id: z.string().nullable(),
  /** 0..1; null when the grader gave no usable answer (see `error`). */
  score: z.number().min(0).max(1).nullable(),
  passed: z.boolean(),
  explanation: z.string().nullable(),
  error: z.string().nullable(),
  input_tokens: z.number().int().min(0),
  cached_tokens: nullableCount,
  cache_write_tokens: nullableCount,
  cache_write_12h_tokens: cacheWrite12h,
  output_tokens: z.number().int().min(0),
  reasoning_tokens: nullableCount,
  cost_usd: z.number().min(0).nullable(),
});
export type SampleGrade = z.infer<typeof SampleGradeSchema>;

/** Agent runs: does the agent's own log of its usage equal what the recording proxy saw? */
export const AgentUsageCheckSchema = z.object({
  /** `no_log`: the agent left no log to check against; `not_checked`: the agent keeps none (command). */
  status: z.enum(['match', 'mismatch', 'no_log', 'not_checked']),
  proxy_requests: z.number().int().min(0),
  log_requests: z.number().int().min(0),
  /** The first differences, when there are any. */
  detail: z.string().nullable(),
});
export type AgentUsageCheck = z.infer<typeof AgentUsageCheckSchema>;

/** What an agent CLI (`agent: codex | command`) did in a sample. */
export const AgentOutcomeSchema = z.object({
  type: z.enum(['codex', 'command']),
  /** The agent's version when known (Codex's). */
  version: z.string().nullable(),
  /** null when the agent was stopped (limit, timeout, cancel) rather than exiting by itself. */
  exit_code: z.number().int().nullable(),
  usage_check: AgentUsageCheckSchema,
});
export type AgentOutcome = z.infer<typeof AgentOutcomeSchema>;

export const SampleRecordSchema = z.object({
  ...sampleIdentity,
  tags: z.array(z.string()),
  status: SampleStatusSchema,
  /** Why the loop stopped: final, max_turns, max_total_tokens, wall_timeout, error, cancelled. */
  stop_reason: z.string(),
  passed: z.boolean().nullable(),
  score: z.number().min(0).max(1).nullable(),
  score_detail: z.string().nullable(),
  final_answer: z.string().nullable(),
  turns: z.number().int().min(0),
  input_tokens: z.number().int().min(0),
  cached_tokens: nullableCount,
  cache_write_tokens: nullableCount,
  output_tokens: z.number().int().min(0),
  reasoning_tokens: nullableCount,
  bytes_sent: nullableCount,
  tool_calls: z.number().int().min(0),
  tool_errors: nullableCount,
  compactions: z.number().int().min(0),
  cache_breaks: z.number().int().min(0),
  cost_usd: z.number().min(0).nullable(),
  started_at: z.string(),
  ended_at: z.string(),
  wall_ms: z.number().min(0),
  error: z.object({ kind: z.string(), message: z.string() }).nullable(),
  /** Model graders' verdicts and usage, apart from the agent's figures above (absent: no model scorer). */
  grades: z.array(SampleGradeSchema).optional(),
  /** Agent runs only: the agent CLI's exit and the check of its usage log against the proxy's records. */
  agent: AgentOutcomeSchema.nullable().optional(),
});
export type SampleRecord = z.infer<typeof SampleRecordSchema>;

const eventBase = {
  schema: z.literal(SCHEMA_VERSION),
  run_id: z.string(),
  sample_id: z.string(),
  at: z.string(),
  /** The turn the event belongs to (the request that produced the call, or the one after the compaction). */
  turn: z.number().int().min(0),
};

/** The fields every event starts with. */
export function eventHeader(runId: string, sampleId: string, turn: number) {
  return { schema: SCHEMA_VERSION, run_id: runId, sample_id: sampleId, at: new Date().toISOString(), turn };
}

export const ToolCallEventSchema = z.object({
  ...eventBase,
  type: z.literal('tool_call'),
  call_id: z.string(),
  tool: z.string(),
  ok: z.boolean(),
  /** `invalid_arguments`, `unknown_tool`, `timeout`, `nonzero_exit`, `tool_error`, `sandbox_error` or null. */
  error: z.string().nullable(),
  exit_code: z.number().int().nullable(),
  duration_ms: z.number().min(0),
  output_bytes: z.number().int().min(0),
  truncated: z.boolean(),
});

export const CompactionEventSchema = z.object({
  ...eventBase,
  type: z.literal('compaction'),
  method: z.enum(['server', 'endpoint', 'trigger', 'summary', 'truncate']),
  /** The figures below are null where an ingested log does not give them. */
  tokens_before: nullableCount,
  tokens_after: nullableCount,
  items_before: nullableCount,
  items_after: nullableCount,
  latency_ms: z.number().min(0).nullable(),
  input_tokens: nullableCount,
  output_tokens: nullableCount,
  cost_usd: z.number().min(0).nullable(),
});

export const CacheBreakEventSchema = z.object({
  ...eventBase,
  type: z.literal('cache_break'),
  reason: PrefixCheckSchema.shape.reason,
  diverged_at: PrefixCheckSchema.shape.diverged_at,
  lost_tokens: z.number().int().min(0).nullable(),
  detail: z.string().nullable(),
  /** A readable diff of the prompt change; kept for the first break of each reason in a sample. */
  diff: z.string().nullable().default(null),
  /** What the lost cache reads cost: lost tokens at (uncached - cached) input price; null when unknown. */
  cost_usd: z.number().min(0).nullable().default(null),
});

export type CacheBreakEvent = z.infer<typeof CacheBreakEventSchema>;

/** The event for a prompt that stopped being an exact prefix extension, from the turn's prefix check. */
export function cacheBreakEvent(
  header: ReturnType<typeof eventHeader>,
  prefix: PrefixCheck,
  diff: string | null,
): CacheBreakEvent {
  return {
    ...header,
    type: 'cache_break',
    reason: prefix.reason,
    diverged_at: prefix.diverged_at,
    lost_tokens: prefix.lost_tokens,
    detail: prefix.detail,
    diff,
    cost_usd: null,
  };
}

export const RetryEventSchema = z.object({
  ...eventBase,
  type: z.literal('retry'),
  attempt: z.number().int().min(1),
  delay_ms: z.number().min(0),
  status: z.number().int().nullable(),
  message: z.string(),
});

export const ErrorEventSchema = z.object({
  ...eventBase,
  type: z.literal('error'),
  kind: z.string(),
  message: z.string(),
});

export const SandboxEventSchema = z.object({
  ...eventBase,
  type: z.literal('sandbox'),
  action: z.enum(['created', 'setup', 'removed', 'setup_failed']),
  duration_ms: z.number().min(0),
  detail: z.string().nullable(),
});

/** An MCP server of the sample started, stopped, or failed to start. */
export const McpServerEventSchema = z.object({
  ...eventBase,
  type: z.literal('mcp_server'),
  server: z.string(),
  action: z.enum(['started', 'stopped', 'failed']),
  run_on: z.enum(['sandbox', 'host']),
  /** Tools the server offered at that moment. */
  tools: z.number().int().min(0),
  duration_ms: z.number().min(0),
  detail: z.string().nullable(),
});

/**
 * The MCP tools changed (a server's `notifications/tools/list_changed`, or deferred changes applied
 * at a compaction). `turn` is the turn whose tool calls were running; the next turn is the first
 * that can show the change in its prefix check.
 */
export const ToolsChangedEventSchema = z.object({
  ...eventBase,
  type: z.literal('tools_changed'),
  /** null when deferred changes were applied at a compaction. */
  server: z.string().nullable(),
  added: z.array(z.string()),
  removed: z.array(z.string()),
  changed: z.array(z.string()),
  policy: z.enum(['rebuild', 'append', 'defer']),
  /** `now` (re-laid out at once), `appended` (new tools at the end), `deferred`, `at_compaction`. */
  applied: z.enum(['now', 'appended', 'deferred', 'at_compaction']),
  /** MCP tools in the prompt after the change. */
  tools: z.number().int().min(0),
});

/**
 * The adaptive concurrency limit of a provider endpoint changed; recorded on the sample whose
 * request attempt caused it (a 429, a Retry-After, rising latency, or successes).
 */
export const ConcurrencyEventSchema = z.object({
  ...eventBase,
  type: z.literal('concurrency'),
  endpoint: z.string(),
  from: z.number().int().min(1),
  to: z.number().int().min(1),
  reason: z.enum(['rate_limited', 'retry_after', 'latency', 'increase']),
  status: z.number().int().nullable(),
  retry_after_ms: z.number().min(0).nullable(),
  in_flight: z.number().int().min(0),
});

/** An agent CLI ended (by itself, or stopped by turnbench): its exit and the tails of its output. */
export const AgentEventSchema = z.object({
  ...eventBase,
  type: z.literal('agent'),
  agent: z.enum(['codex', 'command']),
  exit_code: z.number().int().nullable(),
  /** Why turnbench stopped it (`max_turns`, `wall_timeout`, `cancelled`, ...); null when it exited by itself. */
  stopped: z.string().nullable(),
  duration_ms: z.number().min(0),
  stdout_tail: z.string(),
  stderr_tail: z.string(),
});

export const EventRecordSchema = z.discriminatedUnion('type', [
  ToolCallEventSchema,
  CompactionEventSchema,
  CacheBreakEventSchema,
  RetryEventSchema,
  ErrorEventSchema,
  SandboxEventSchema,
  McpServerEventSchema,
  ToolsChangedEventSchema,
  ConcurrencyEventSchema,
  AgentEventSchema,
]);
export type EventRecord = z.infer<typeof EventRecordSchema>;
export type ToolCallEvent = z.infer<typeof ToolCallEventSchema>;
export type CompactionEvent = z.infer<typeof CompactionEventSchema>;
export type ToolsChangedEvent = z.infer<typeof ToolsChangedEventSchema>;
export type ConcurrencyEvent = z.infer<typeof ConcurrencyEventSchema>;

/** `budget_exhausted`: the recorded cost reached the run's budget and samples were skipped. */
export const RunStatusSchema = z.enum(['running', 'completed', 'interrupted', 'failed', 'budget_exhausted']);

export const IngestInfoSchema = z.object({
  /** The files and folders given on the command line, as given. */
  inputs: z.array(z.string()),
  files: z.number().int().min(0),
  sessions: z.number().int().min(0),
  group_by: z.enum(['session', 'task', 'day', 'model']),
  since: z.string().nullable(),
  until: z.string().nullable(),
  ingested_at: z.string(),
  /** Count of all warnings; the first ones are kept in `warnings`. */
  warning_count: z.number().int().min(0),
  warnings: z.array(z.string()),
});
export type IngestInfo = z.infer<typeof IngestInfoSchema>;

export const RunManifestSchema = z.object({
  schema: z.literal(SCHEMA_VERSION),
  run_id: z.string(),
  suite_name: z.string(),
  suite_path: z.string(),
  /** The suite as resolved (variants with defaults applied; task ids), so a resume can detect changes. */
  suite: z.unknown(),
  suite_hash: z.string(),
  sample_ids: z.array(z.string()),
  status: RunStatusSchema,
  started_at: z.string(),
  ended_at: z.string().nullable(),
  versions: z.object({ turnbench: z.string(), node: z.string(), openai: z.string() }),
  /** This run holds shard `index` (1-based) of `count`; null for a whole suite. */
  shard: z.object({ index: z.number().int().min(1), count: z.number().int().min(1) }).nullable(),
  /** The part of the suite this run covers (`run --variant/--task/--epochs`); null for all of it. */
  selection: z
    .object({
      variants: z.array(z.string()).optional(),
      tasks: z.array(z.string()).optional(),
      epochs: z.number().int().min(1).optional(),
    })
    .nullable()
    .default(null),
  /** When the run was resumed (ISO times), oldest first. */
  resumed_at: z.array(z.string()).default([]),
  /** For a merged run: the run ids of the shards it was merged from. */
  merged_from: z.array(z.string()).default([]),
  /** `run` for runs turnbench executed; `ingest` for runs rebuilt from agent session logs. */
  source: z.enum(['run', 'ingest']).default('run'),
  /** What an ingested run was read from; null for executed runs. */
  ingest: IngestInfoSchema.nullable().default(null),
  /** The process that runs (or last ran) this run, so a run whose process died is not "running". */
  owner: z.object({ pid: z.number().int().positive(), host: z.string() }).optional(),
  /** Why the run stopped early (its engine went away, its results could not be written) or has samples without a score. */
  error: z.string().nullable().default(null),
});
export type RunManifest = z.infer<typeof RunManifestSchema>;
