import type {
  CompactionEvent,
  EventRecord,
  SampleGrade,
  SampleRecord,
  ToolCallEvent,
  TurnRecord,
} from '../telemetry/index.js';
import { ATTR, EVALUATION_EVENT, OPERATION } from './semconv.js';

/**
 * Records → span descriptions, with no OpenTelemetry import: one trace per sample, an
 * `invoke_agent {agent}` root, a `{operation} {model}` span per model request (graders
 * included) and an `execute_tool {tool}` span per tool call, both children of the root.
 * Timings come from the records' own timestamps.
 */

export type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue>;

export interface SpanEventSpec {
  name: string;
  time: Date;
  attributes: Attributes;
}

export interface SpanSpec {
  name: string;
  kind: 'internal' | 'client';
  start: Date;
  end: Date;
  attributes: Attributes;
  events: SpanEventSpec[];
  error: { type: string; message: string } | null;
}

/** What a run says about each variant, for the root span (from run.json or the suite). */
export interface VariantInfo {
  provider: string | null;
  model: string | null;
  /** The agent that ran the samples: `turnbench` for the built-in loop. */
  agent: string;
}

export interface RunInfo {
  runId: string;
  suiteName: string;
  variants: ReadonlyMap<string, VariantInfo>;
}

export interface TraceOptions {
  captureContent: boolean;
}

/** What the events of a sample add to one of its model-request spans. */
export interface TurnExtras {
  compaction?: CompactionEvent;
  retries: Array<Extract<EventRecord, { type: 'retry' }>>;
  /** The prompt diff of the first break of a reason (content: exported only when asked). */
  breakDiff?: string;
}

const DEFAULT_AGENT = 'turnbench';

function withoutNulls(values: Record<string, AttributeValue | null | undefined>): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(values))
    if (value !== null && value !== undefined) out[key] = value;
  return out;
}

const conversationId = (runId: string, sampleId: string) => `${runId}/${sampleId}`;
const at = (iso: string) => new Date(iso);
const after = (start: Date, ms: number) => new Date(start.getTime() + Math.max(0, ms));

function usageAttributes(u: {
  input_tokens: number;
  cached_tokens: number | null;
  cache_write_tokens: number | null;
  output_tokens: number;
  reasoning_tokens: number | null;
}): Attributes {
  // gen_ai.usage.input_tokens includes cached tokens, as the provider's input_tokens does.
  return withoutNulls({
    [ATTR.inputTokens]: u.input_tokens,
    [ATTR.cacheReadInputTokens]: u.cached_tokens,
    [ATTR.cacheCreationInputTokens]: u.cache_write_tokens,
    [ATTR.outputTokens]: u.output_tokens,
    [ATTR.reasoningOutputTokens]: u.reasoning_tokens,
  });
}

export function sampleSpan(s: SampleRecord, run: RunInfo, options: TraceOptions): SpanSpec {
  const variant = run.variants.get(s.variant);
  const agent = variant?.agent ?? DEFAULT_AGENT;
  const events: SpanEventSpec[] = (s.grades ?? []).map((g) => evaluationEvent(g, options));
  const failed = s.status === 'error' || s.status === 'timeout' || s.status === 'cancelled';
  return {
    name: `${OPERATION.invokeAgent} ${agent}`,
    kind: 'internal',
    start: at(s.started_at),
    end: at(s.ended_at),
    attributes: withoutNulls({
      [ATTR.operationName]: OPERATION.invokeAgent,
      [ATTR.agentName]: agent,
      [ATTR.providerName]: variant?.provider,
      [ATTR.requestModel]: variant?.model,
      [ATTR.conversationId]: conversationId(s.run_id, s.sample_id),
      ...usageAttributes(s),
      [ATTR.errorType]: failed ? (s.error?.kind ?? s.status) : null,
      'turnbench.run.id': s.run_id,
      'turnbench.suite': run.suiteName,
      'turnbench.sample.id': s.sample_id,
      'turnbench.task.id': s.task_id,
      'turnbench.variant': s.variant,
      'turnbench.epoch': s.epoch,
      'turnbench.status': s.status,
      'turnbench.stop_reason': s.stop_reason,
      'turnbench.passed': s.passed,
      'turnbench.score': s.score,
      'turnbench.turns': s.turns,
      'turnbench.tool_calls': s.tool_calls,
      'turnbench.tool_errors': s.tool_errors,
      'turnbench.compactions': s.compactions,
      'turnbench.cache_breaks': s.cache_breaks,
      'turnbench.cache.hit_rate':
        s.cached_tokens === null || s.input_tokens === 0 ? null : s.cached_tokens / s.input_tokens,
      'turnbench.bytes_sent': s.bytes_sent,
      'turnbench.cost_usd': s.cost_usd,
      'turnbench.grader_cost_usd':
        s.grades && s.grades.length > 0 ? s.grades.reduce((sum, g) => sum + (g.cost_usd ?? 0), 0) : null,
      ...(options.captureContent
        ? {
            [ATTR.outputMessages]:
              s.final_answer === null
                ? null
                : JSON.stringify([
                    {
                      role: 'assistant',
                      parts: [{ type: 'text', content: s.final_answer }],
                      finish_reason: 'stop',
                    },
                  ]),
            'turnbench.score.detail': s.score_detail,
          }
        : {}),
    }),
    events,
    error: failed ? { type: s.error?.kind ?? s.status, message: s.error?.message ?? s.status } : null,
  };
}

function evaluationEvent(g: SampleGrade, options: TraceOptions): SpanEventSpec {
  return {
    name: EVALUATION_EVENT,
    time: after(at(g.started_at), g.latency_ms),
    attributes: withoutNulls({
      [ATTR.evaluationName]: `turnbench.model_scorer.${g.scorer}`,
      [ATTR.evaluationScoreValue]: g.score,
      [ATTR.evaluationScoreLabel]: g.passed ? 'pass' : 'fail',
      [ATTR.errorType]: g.error === null ? null : 'grader_error',
      ...(options.captureContent ? { [ATTR.evaluationExplanation]: g.explanation ?? g.error } : {}),
    }),
  };
}

export function turnSpan(t: TurnRecord, extras: TurnExtras | undefined, options: TraceOptions): SpanSpec {
  const start = at(t.started_at);
  const c = extras?.compaction;
  const events: SpanEventSpec[] = (extras?.retries ?? []).map((r) => ({
    name: 'turnbench.retry',
    time: at(r.at),
    attributes: withoutNulls({
      'turnbench.retry.attempt': r.attempt,
      'turnbench.retry.delay_ms': r.delay_ms,
      'turnbench.retry.status': r.status,
      'turnbench.retry.message': r.message,
    }),
  }));
  if (options.captureContent && extras?.breakDiff) {
    events.push({
      name: 'turnbench.cache_break',
      time: start,
      attributes: { 'turnbench.prefix.diff': extras.breakDiff },
    });
  }
  return {
    name: `${OPERATION.chat} ${t.model}`,
    kind: 'client',
    start,
    end: after(start, t.latency_ms ?? 0),
    attributes: withoutNulls({
      [ATTR.operationName]: OPERATION.chat,
      [ATTR.providerName]: t.provider,
      [ATTR.requestModel]: t.model,
      [ATTR.responseId]: t.response_id,
      [ATTR.conversationId]: conversationId(t.run_id, t.sample_id),
      [ATTR.timeToFirstChunk]: t.ttft_ms === null ? null : t.ttft_ms / 1000,
      ...usageAttributes(t),
      'turnbench.turn': t.turn,
      'turnbench.turn.kind': t.kind,
      'turnbench.cache.class': t.cache_class,
      'turnbench.cache.hit_rate': t.cache_hit_rate,
      'turnbench.cache.expected_cached_tokens': t.expected_cached_tokens,
      'turnbench.prefix.extends_previous': t.prefix.extends_previous,
      'turnbench.prefix.reason': t.prefix.reason,
      'turnbench.prefix.diverged_at': t.prefix.diverged_at === null ? null : String(t.prefix.diverged_at),
      'turnbench.prefix.lost_tokens': t.prefix.lost_tokens,
      'turnbench.prefix.detail': t.prefix.detail,
      'turnbench.after_compaction': t.after_compaction,
      'turnbench.bytes_sent': t.bytes_sent,
      'turnbench.item_count': t.item_count,
      'turnbench.tool_calls': t.tool_calls,
      'turnbench.retries': t.retries,
      'turnbench.incomplete_reason': t.incomplete_reason,
      'turnbench.cost_usd': t.cost_usd,
      'turnbench.compaction.method': c?.method,
      'turnbench.compaction.tokens_before': c?.tokens_before,
      'turnbench.compaction.tokens_after': c?.tokens_after,
      'turnbench.compaction.items_before': c?.items_before,
      'turnbench.compaction.items_after': c?.items_after,
      'turnbench.compaction.cost_usd': c?.cost_usd,
    }),
    events,
    error: null,
  };
}

export function toolSpan(e: ToolCallEvent): SpanSpec {
  const end = at(e.at);
  // A command that exits non-zero is a normal answer to the model, not a failed tool call.
  const failed = !e.ok && e.error !== 'nonzero_exit';
  return {
    name: `${OPERATION.executeTool} ${e.tool}`,
    kind: 'internal',
    start: new Date(end.getTime() - e.duration_ms),
    end,
    attributes: withoutNulls({
      [ATTR.operationName]: OPERATION.executeTool,
      [ATTR.toolName]: e.tool,
      [ATTR.toolCallId]: e.call_id,
      [ATTR.toolType]: 'function',
      [ATTR.conversationId]: conversationId(e.run_id, e.sample_id),
      [ATTR.errorType]: failed ? e.error : null,
      'turnbench.turn': e.turn,
      'turnbench.tool.ok': e.ok,
      'turnbench.tool.exit_code': e.exit_code,
      'turnbench.tool.output_bytes': e.output_bytes,
      'turnbench.tool.truncated': e.truncated,
    }),
    events: [],
    error: failed ? { type: e.error ?? 'tool_error', message: `${e.tool} failed: ${e.error}` } : null,
  };
}

/** A model grader's request: a chat span of its own under the sample, its usage apart from the agent's. */
export function gradeSpan(g: SampleGrade, s: SampleRecord): SpanSpec {
  const start = at(g.started_at);
  return {
    name: `${OPERATION.chat} ${g.model}`,
    kind: 'client',
    start,
    end: after(start, g.latency_ms),
    attributes: withoutNulls({
      [ATTR.operationName]: OPERATION.chat,
      [ATTR.providerName]: g.provider,
      [ATTR.requestModel]: g.model,
      [ATTR.responseId]: g.response_id,
      [ATTR.conversationId]: `${conversationId(s.run_id, s.sample_id)}/grader/${g.scorer}`,
      ...usageAttributes(g),
      [ATTR.errorType]: g.error === null ? null : 'grader_error',
      'turnbench.turn.kind': 'grader',
      'turnbench.cost_usd': g.cost_usd,
    }),
    events: [],
    error: g.error === null ? null : { type: 'grader_error', message: g.error },
  };
}

/** Collects what events add to turn spans, keyed by turn; the prompt diff only when content is wanted. */
export class TurnExtrasIndex {
  private readonly byTurn = new Map<number, TurnExtras>();

  constructor(private readonly captureContent: boolean) {}

  add(e: EventRecord): void {
    if (e.type === 'compaction') this.extras(e.turn).compaction = e;
    else if (e.type === 'retry') this.extras(e.turn).retries.push(e);
    else if (e.type === 'cache_break' && this.captureContent && e.diff)
      this.extras(e.turn).breakDiff = e.diff;
  }

  /**
   * Turn numbers are unique in a sample (compaction requests get their own), and a compaction
   * event carries the number of the request that compacted, or of the agent turn it ran inside
   * or followed (server-side compaction, truncation): that span gets the compaction figures.
   */
  for(turn: number): TurnExtras | undefined {
    return this.byTurn.get(turn);
  }

  private extras(turn: number): TurnExtras {
    let extras = this.byTurn.get(turn);
    if (!extras) {
      extras = { retries: [] };
      this.byTurn.set(turn, extras);
    }
    return extras;
  }
}
