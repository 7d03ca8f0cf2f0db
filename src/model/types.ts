import type {
  FunctionTool,
  ResponseInputItem,
  ResponseOutputItem,
} from 'openai/resources/responses/responses';

/** History items are kept in the Responses API's own input-item shape. */
export type PromptItem = ResponseInputItem;
export type OutputItem = ResponseOutputItem;
export type ToolDefinition = FunctionTool;

export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';

export interface ModelRequest {
  model: string;
  instructions: string;
  tools: ToolDefinition[];
  input: PromptItem[];
  store: boolean;
  parallelToolCalls: boolean;
  previousResponseId?: string;
  promptCacheKey?: string;
  promptCacheRetention?: 'in_memory' | '24h';
  /** `prompt_cache_options.mode` and `.ttl` (the diagnostics' comparison id is `comparisonResponseId`). */
  promptCacheMode?: 'implicit' | 'explicit';
  promptCacheTtl?: '30m' | '12h';
  /** Ask the provider for prompt_cache_diagnostics against this earlier response. */
  comparisonResponseId?: string;
  reasoningEffort?: ReasoningEffort;
  /** Ask for reasoning items with `encrypted_content`, to resend them without server state. */
  includeEncryptedReasoning?: boolean;
  maxOutputTokens?: number;
  /** Server-side compaction (`context_management`). */
  compactThreshold?: number;
}

/**
 * Usage as the provider reported it. `null` means the provider did not report the field
 * (unknown), which is different from 0.
 */
export interface NormalisedUsage {
  inputTokens: number;
  cachedTokens: number | null;
  cacheWriteTokens: number | null;
  /**
   * The part of `cacheWriteTokens` written with 12-hour retention (the Responses API's
   * `cache_write_tokens_details.ttl_12h_tokens`); the rest is 30-minute writes. null when the
   * provider gives no such split (Chat Completions, compatible servers, Codex's logs).
   */
  cacheWrite12hTokens: number | null;
  outputTokens: number;
  reasoningTokens: number | null;
}

export interface ModelResponse {
  id: string;
  model: string;
  output: OutputItem[];
  usage: NormalisedUsage;
  /** Time to first streamed event carrying output; null when not streamed. */
  ttftMs: number | null;
  latencyMs: number;
  /** Bytes of the request as sent: the HTTP body, or the WebSocket `response.create` message. */
  bytesSent: number;
  /** The provider's own `prompt_cache_diagnostics`, when it sent any. */
  cacheDiagnostics: unknown;
  /** Why the output stopped early (`max_output_tokens`, `content_filter`); null when it did not. */
  incompleteReason?: string | null;
  retries: number;
}

export interface CompactRequest {
  model: string;
  instructions: string;
  input: PromptItem[];
  promptCacheKey?: string;
}

export interface CompactResponse {
  id: string;
  output: PromptItem[];
  usage: NormalisedUsage;
  latencyMs: number;
  bytesSent: number;
}

export interface RetryNotice {
  attempt: number;
  delayMs: number;
  status: number | null;
  message: string;
}

/** How one attempt at a request went, for a limiter that adapts to the provider. */
export type AttemptOutcome =
  | { ok: true; latencyMs: number; ttftMs: number | null }
  | { ok: false; status: number | null; retryAfterMs: number | null };

/** A slot for one attempt; `done` gives it back with the attempt's outcome. */
export interface Admission {
  done(outcome: AttemptOutcome): void;
}

/** The concurrency limit of a provider endpoint changed, because of one attempt's outcome. */
export interface ConcurrencyChange {
  endpoint: string;
  from: number;
  to: number;
  /** `rate_limited` (a 429), `retry_after` (another answer with Retry-After), `latency`, `increase`. */
  reason: 'rate_limited' | 'retry_after' | 'latency' | 'increase';
  status: number | null;
  retryAfterMs: number | null;
  /** Attempts in flight at the endpoint after this one finished. */
  inFlight: number;
}

export interface CallOptions {
  signal?: AbortSignal;
  onRetry?: (notice: RetryNotice) => void;
  /** Waits for a slot before each attempt (retries included); set by an adaptive limiter. */
  admit?: (signal: AbortSignal | undefined) => Promise<Admission>;
  /** Hears of concurrency changes this request's attempts cause (to record them). */
  onConcurrency?: (change: ConcurrencyChange) => void;
}

export interface ModelClient {
  readonly provider: string;
  readonly api: 'responses' | 'chat';
  respond(req: ModelRequest, opts?: CallOptions): Promise<ModelResponse>;
  /** The `responses.compact` endpoint; absent when the provider has none. */
  compact?(req: CompactRequest, opts?: CallOptions): Promise<CompactResponse>;
  /** Release open connections (WebSocket transport) once no more requests will come. */
  close?(): void;
}
