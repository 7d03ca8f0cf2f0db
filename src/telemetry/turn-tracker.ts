import type { ModelRequest, ModelResponse, NormalisedUsage, PromptItem } from '../model/types.js';
import { fingerprintItems } from './prefix-items.js';
import { countO200kTokens } from './prefix-tokens.js';
import { CacheForensics, type TurnForensics } from './prefix-tracker.js';
import { SCHEMA_VERSION, type TurnRecord } from './records.js';

export interface TrackerIdentity {
  runId: string;
  sampleId: string;
  taskId: string;
  variant: string;
  epoch: number;
}

export type TurnResponse = Pick<
  ModelResponse,
  'id' | 'usage' | 'latencyMs' | 'ttftMs' | 'bytesSent' | 'retries'
> & {
  incompleteReason?: string | null;
  model?: string;
  cacheDiagnostics?: unknown;
};

const hitRate = (u: NormalisedUsage) =>
  u.cachedTokens === null || u.inputTokens === 0 ? null : Math.min(1, u.cachedTokens / u.inputTokens);

/** Builds the turn records of one sample: usage, timing, hashes and the cache forensics. */
export class TurnTracker {
  private readonly forensics = new CacheForensics();

  constructor(
    private readonly opts: {
      identity: TrackerIdentity;
      provider: string;
      costOf: (model: string, usage: NormalisedUsage) => number | null;
    },
  ) {}

  private base(turn: number, startedAt: Date, response: TurnResponse, model: string) {
    const id = this.opts.identity;
    return {
      schema: SCHEMA_VERSION,
      run_id: id.runId,
      sample_id: id.sampleId,
      task_id: id.taskId,
      variant: id.variant,
      epoch: id.epoch,
      turn,
      started_at: startedAt.toISOString(),
      latency_ms: Math.round(response.latencyMs * 100) / 100,
      ttft_ms: response.ttftMs === null ? null : Math.round(response.ttftMs * 100) / 100,
      provider: this.opts.provider,
      model,
      response_id: response.id,
      input_tokens: response.usage.inputTokens,
      cached_tokens: response.usage.cachedTokens,
      cache_write_tokens: response.usage.cacheWriteTokens,
      cache_write_12h_tokens: response.usage.cacheWrite12hTokens,
      output_tokens: response.usage.outputTokens,
      reasoning_tokens: response.usage.reasoningTokens,
      cache_hit_rate: hitRate(response.usage),
      bytes_sent: response.bytesSent,
      retries: response.retries,
      cost_usd: this.opts.costOf(model, response.usage),
      incomplete_reason: response.incompleteReason ?? null,
    };
  }

  /** A loop turn: `request` is the logical prompt (the full history, whatever the wire mode). */
  record(input: {
    turn: number;
    startedAt: Date;
    request: ModelRequest;
    response: ModelResponse;
    outputAsInput: readonly PromptItem[];
    afterCompaction: boolean;
    toolCalls: number;
  }): TurnRecord {
    const forensics = this.forensics.turn({
      turn: input.turn,
      request: input.request,
      outputAsInput: input.outputAsInput,
      inputTokens: input.response.usage.inputTokens,
      cachedTokens: input.response.usage.cachedTokens,
      afterCompaction: input.afterCompaction,
    });
    return this.recordChecked({
      kind: 'agent',
      turn: input.turn,
      startedAt: input.startedAt,
      model: input.request.model,
      response: input.response,
      forensics,
      afterCompaction: input.afterCompaction,
      toolCalls: input.toolCalls,
    });
  }

  /**
   * A request whose cache forensics the caller computed: an observed agent's requests are checked
   * per conversation, and its compaction requests against the conversation's last turn.
   */
  recordChecked(input: {
    kind: TurnRecord['kind'];
    turn: number;
    startedAt: Date;
    model: string;
    response: TurnResponse;
    forensics: TurnForensics;
    afterCompaction: boolean;
    toolCalls: number;
  }): TurnRecord {
    const f = input.forensics;
    return {
      ...this.base(input.turn, input.startedAt, input.response, input.model),
      kind: input.kind,
      item_count: f.item_count,
      instructions_hash: f.instructions_hash,
      tools_hash: f.tools_hash,
      items_hash: f.items_hash,
      prefix: f.prefix,
      expected_cached_tokens: f.expected_cached_tokens,
      cache_class: f.cache_class,
      provider_diagnostics: input.response.cacheDiagnostics ?? null,
      after_compaction: input.afterCompaction,
      tool_calls: input.toolCalls,
    };
  }

  /** A request made to compact the history; it has a prompt of its own, so no prefix check. */
  recordSideRequest(input: {
    kind: 'compaction' | 'summary';
    turn: number;
    startedAt: Date;
    model: string;
    response: TurnResponse;
    itemCount: number;
  }): TurnRecord {
    return {
      ...this.base(input.turn, input.startedAt, input.response, input.model),
      kind: input.kind,
      item_count: input.itemCount,
      instructions_hash: '',
      tools_hash: '',
      items_hash: '',
      prefix: { extends_previous: null, diverged_at: null, reason: null, lost_tokens: null, detail: null },
      expected_cached_tokens: null,
      cache_class: 'not_checked',
      provider_diagnostics: input.response.cacheDiagnostics ?? null,
      after_compaction: false,
      tool_calls: 0,
    };
  }

  /** Estimated tokens of a list of items (memoised o200k counts), for compaction decisions. */
  countItems(items: readonly PromptItem[]): number {
    let total = 0;
    for (const tokens of fingerprintItems(items, countO200kTokens).tokens) total += tokens;
    return total;
  }
}
