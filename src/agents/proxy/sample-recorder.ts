import { isDeepStrictEqual } from 'node:util';
import type { StopReason } from '../../agent/index.js';
import { addUsage, type SampleTotals } from '../../agent/totals.js';
import type { ResolvedLimits } from '../../config/index.js';
import {
  type ModelRequest,
  type NormalisedUsage,
  type OutputItem,
  type RetryNotice,
  ZERO_USAGE,
} from '../../model/index.js';
import {
  CacheForensics,
  cacheBreakEvent,
  describePromptChange,
  eventHeader,
  outputItemsAsInput,
  type RecordSink,
  renderedItems,
  renderedResponsesItem,
  type TrackerIdentity,
  type TurnForensics,
  type TurnRecord,
  TurnTracker,
} from '../../telemetry/index.js';
import { conversationKey } from './conversation-key.js';
import { type CompactionMethod, type ObservedRequest, ObservedRequestError } from './observed-request.js';
import { type RawRequest, readRequest } from './read-request.js';
import { type ObservedResponse, type RawResponse, responseOf } from './response-tap.js';

export interface SampleRecorderOptions {
  identity: TrackerIdentity;
  provider: string;
  costOf: (model: string, usage: NormalisedUsage) => number | null;
  sink: RecordSink;
  /** The sample's running totals (shared with the sample runner). */
  totals: SampleTotals;
  limits: ResolvedLimits;
  /** Called once, when a request is refused because the sample reached a limit. */
  onLimit: (reason: Exclude<StopReason, 'final'>) => void;
}

/**
 * One model request in flight through the proxy. Nothing of the request is read before it is
 * forwarded: the body is parsed once the answer has ended, off the path the agent waits on.
 */
export interface Exchange {
  startedAt: Date;
  /** performance.now() when the request arrived. */
  t0: number;
  bytesSent: number;
  /** Retries the proxy itself made (agents that leave retries to it). */
  retries: number;
}

export interface ExchangeOutcome {
  /** HTTP status of the provider's answer; null when it never answered. */
  status: number | null;
  /** What the proxy kept of the answer (read with the request, once the answer has passed). */
  response: RawResponse | null;
  /** A failure: the status and body of an error answer, a network error, a cut stream. */
  error: string | null;
  ttftMs: number | null;
  latencyMs: number;
}

/**
 * What the proxy asks of a sample's recorder: admit each request (or refuse it at a limit), then
 * record it once its answer has ended. SampleRecorder does it in this thread; a threaded recorder
 * (see record-thread.ts) does the reading and checking in a worker thread.
 */
export interface ExchangeRecorder {
  admit(t0: number, bytes: number): Admission | Promise<Admission>;
  /**
   * `bodyIsFree`: `request.body` owns its memory and nothing uses it after this call (no socket
   * wrote from it), so a recorder in another thread may take that memory instead of a copy.
   */
  finish(exchange: Exchange, request: RawRequest, outcome: ExchangeOutcome, bodyIsFree?: boolean): void;
  retryNotice(notice: RetryNotice): void;
  note(message: string): void;
}

export type Admission =
  | { ok: true; exchange: Exchange }
  | { ok: false; reason: Exclude<StopReason, 'final'>; message: string };

/** The limit a sample has reached, with the refusal's message; null while none is. */
export function limitReached(
  limits: ResolvedLimits,
  totals: SampleTotals,
  agentTurns: number,
): { reason: Exclude<StopReason, 'final'>; message: string } | null {
  if (agentTurns >= limits.max_turns) {
    return {
      reason: 'max_turns',
      message: `turnbench: the sample reached its limit of ${limits.max_turns} turns`,
    };
  }
  if (totals.inputTokens + totals.outputTokens >= limits.max_total_tokens) {
    return {
      reason: 'max_total_tokens',
      message: `turnbench: the sample reached its limit of ${limits.max_total_tokens} tokens`,
    };
  }
  if (limits.max_cost_usd !== null && (totals.costUsd ?? 0) >= limits.max_cost_usd) {
    return {
      reason: 'max_cost',
      message: `turnbench: the sample reached its cost limit of $${limits.max_cost_usd}`,
    };
  }
  return null;
}

/** What the usage check compares: one line per model request answered with usage. */
export interface RecordedUsage {
  turn: number;
  conversation: string;
  kind: TurnRecord['kind'];
  responseId: string | null;
  usage: NormalisedUsage;
}

interface LastTurn {
  request: ModelRequest;
  output: OutputItem[];
  /** The output as resent, reduced to what the provider renders. */
  outputRendered: ModelRequest['input'];
  inputTokens: number;
}

interface PendingCompaction {
  method: CompactionMethod | 'server';
  turn: number;
  tokensBefore: number;
  itemsBefore: number;
  itemsOut: number;
  latencyMs: number;
  usage: NormalisedUsage | null;
  cost: number | null;
}

/** The last failed attempt of a conversation, and how many failed in a row before the next success. */
interface FailedAttempt {
  kind: ObservedRequest['kind'];
  method: CompactionMethod | null;
  /** The attempt's full prompt (a chained request's restored), items as the provider renders them. */
  request: ModelRequest;
  /** Failed attempts of this request so far: the first one, then its retries that failed too. */
  count: number;
  at: number;
  status: number | null;
  message: string;
  /** The provider had begun its answer (a response id came), so it had read the prompt and cached it. */
  processed: boolean;
}

/**
 * Items only the agent adds to a conversation: what it sends of its own (messages other than the
 * model's, tool results, a compaction trigger). Anything else in a request is the model's output
 * resent.
 */
function isAgentItem(item: unknown): boolean {
  const { type, role } = item as { type?: unknown; role?: unknown };
  if (type === undefined || type === 'message') return role !== 'assistant';
  return (
    typeof type !== 'string' ||
    type.endsWith('_output') ||
    type === 'compaction_trigger' ||
    type === 'item_reference'
  );
}

/**
 * Whether `input` retries the failed attempt: the conversation has not moved past it. Its items are
 * the attempt's, followed by nothing but model output: what the attempt streamed before it broke
 * (Codex keeps each output item that arrived whole and resends it, so a retry after a cut stream
 * carries the cut answer's reasoning). Compared on the full prompt, so a chained attempt over
 * WebSocket and its retry sending the whole history unchained on a new connection match.
 */
function retriesAttempt(
  failed: FailedAttempt,
  observed: ObservedRequest,
  input: ModelRequest['input'],
): boolean {
  const before = failed.request.input;
  if (observed.model !== failed.request.model || input.length < before.length) return false;
  for (let i = 0; i < before.length; i++) {
    if (input[i] !== before[i] && !isDeepStrictEqual(input[i], before[i])) return false;
  }
  if (input.length === before.length) return observed.kind === failed.kind;
  for (let i = before.length; i < input.length; i++) if (isAgentItem(input[i])) return false;
  return true;
}

class Conversation {
  readonly forensics = new CacheForensics();
  /** The last request's items and its output as resent: what the next request most likely repeats. */
  known: ModelRequest['input'] = [];
  last: LastTurn | null = null;
  lastResponseId: string | null = null;
  lastChain: { input: ModelRequest['input']; output: ModelRequest['input'] } | null = null;
  afterCompaction = false;
  pending: PendingCompaction | null = null;
  failed: FailedAttempt | null = null;
  readonly diffedReasons = new Set<string>();
}

/**
 * The request's items, each one equal to the item at the same place in the conversation's last
 * request (or its output) replaced by that earlier object. The prefix check memoises its hashes and
 * token counts by object, so the unchanged history of a long conversation is not serialised and
 * hashed again on every request: only what is new is.
 */
function reuseKnownItems(input: ModelRequest['input'], conversation: Conversation): ModelRequest['input'] {
  const known = conversation.known;
  const out = input.slice();
  for (let i = 0; i < out.length && i < known.length; i++) {
    if (out[i] === known[i]) continue;
    if (!isDeepStrictEqual(out[i], known[i])) break;
    out[i] = known[i]!;
  }
  return out;
}

/**
 * Turns the requests an observed agent makes into the records the builtin loop writes: one turn
 * record per answered model request (usage, timing, bytes, the prefix check against the previous
 * request of the same conversation, the cache class, the provider's diagnostics), cache-break,
 * compaction, retry and error events, and the sample's totals. Enforces the sample's limits by
 * refusing the request that would pass them.
 */
export class SampleRecorder implements ExchangeRecorder {
  private readonly tracker: TurnTracker;
  private readonly conversations = new Map<string, Conversation>();
  private readonly byResponseId = new Map<string, string>();
  private nextTurn = 1;
  private agentTurns = 0;
  private limitHit: Exclude<StopReason, 'final'> | null = null;
  readonly usages: RecordedUsage[] = [];

  constructor(private readonly opts: SampleRecorderOptions) {
    this.tracker = new TurnTracker({ identity: opts.identity, provider: opts.provider, costOf: opts.costOf });
  }

  private conversation(key: string): Conversation {
    let conversation = this.conversations.get(key);
    if (!conversation) {
      conversation = new Conversation();
      this.conversations.set(key, conversation);
    }
    return conversation;
  }

  /**
   * A model request arrived: admitted, or refused at a limit. The turn limit counts the agent's
   * turns; a compaction request at the limit is refused too (the builtin loop stops there without
   * compacting).
   */
  admit(t0: number, bytes: number): Admission {
    const refused = this.checkLimits();
    if (refused) return refused;
    return { ok: true, exchange: { startedAt: new Date(), t0, bytesSent: bytes, retries: 0 } };
  }

  private checkLimits(): Admission | null {
    const reached = limitReached(this.opts.limits, this.opts.totals, this.agentTurns);
    if (!reached) return null;
    if (!this.limitHit) {
      this.limitHit = reached.reason;
      this.opts.onLimit(reached.reason);
    }
    return { ok: false, ...reached };
  }

  /** The agent's turns recorded so far (what the turn limit counts). */
  get agentTurnCount(): number {
    return this.agentTurns;
  }

  /** A request that retries the conversation's failed attempt: a retry event, numbered from the first retry. */
  private retryEvent(failed: FailedAttempt, t0: number): void {
    this.opts.sink.event({
      ...this.event(this.nextTurn),
      type: 'retry',
      attempt: failed.count,
      delay_ms: Math.max(0, t0 - failed.at),
      status: failed.status,
      message: failed.message,
    });
  }

  /** The proxy itself retried a request (agents whose retries are left to the proxy). */
  retryNotice(notice: RetryNotice): void {
    this.opts.sink.event({
      ...this.event(this.nextTurn),
      type: 'retry',
      attempt: notice.attempt,
      delay_ms: notice.delayMs,
      status: notice.status,
      message: notice.message,
    });
  }

  /** Something about the agent's traffic worth a line in events.jsonl (a request that was not recorded). */
  note(message: string): void {
    this.opts.sink.event({
      ...this.event(Math.max(0, this.nextTurn - 1)),
      type: 'error',
      kind: 'proxy',
      message,
    });
  }

  private event(turn: number) {
    return eventHeader(this.opts.identity.runId, this.opts.identity.sampleId, turn);
  }

  /**
   * The exchange ended: the request and the answer are read now, then a turn record when the
   * provider answered with a response, else an error event.
   */
  finish(exchange: Exchange, request: RawRequest, outcome: ExchangeOutcome): void {
    let observed: ObservedRequest | null;
    try {
      observed = readRequest(request);
      if (!observed) return; // a WebSocket message that is no request
    } catch (error) {
      const why =
        error instanceof ObservedRequestError
          ? error.message
          : `unreadable body (${(error as Error).message})`;
      this.note(`not recorded: ${why}`);
      return;
    }
    try {
      this.readExchange(observed, exchange, request, outcome);
    } catch (error) {
      // A request our reading cannot take (say, JSON nested past the stack: an agent sends what its
      // task makes it send) loses its own record, never the sample's or the run's recording.
      this.note(`not recorded: ${(error as Error).message}`);
    }
  }

  private readExchange(
    observed: ObservedRequest,
    exchange: Exchange,
    request: RawRequest,
    outcome: ExchangeOutcome,
  ): void {
    const headers = request.headers;
    const chainedTo = observed.previousResponseId
      ? this.byResponseId.get(observed.previousResponseId)
      : undefined;
    const key = chainedTo ?? conversationKey(headers, observed);
    const conversation = this.conversation(key);
    let input = observed.request.input;
    if (chainedTo && conversation.lastChain && conversation.lastResponseId === observed.previousResponseId) {
      input = [...conversation.lastChain.input, ...conversation.lastChain.output, ...input];
    }
    const failed = conversation.failed;
    const retrying = failed !== null && retriesAttempt(failed, observed, input);
    if (retrying) this.retryEvent(failed, exchange.t0);
    // A retry is the request it retries: a summary retried with the cut answer's reasoning after
    // its prompt is still the summary.
    const kind = retrying ? failed.kind : observed.kind;
    const method = retrying ? failed.method : observed.method;
    const retried = { ...observed, kind, method };
    const response = outcome.response ? responseOf(outcome.response) : null;
    const failure =
      outcome.error ??
      (outcome.status !== null && outcome.status >= 400 ? `HTTP ${outcome.status}` : null) ??
      (response?.error || null);
    if (failure || !response) {
      conversation.failed = {
        kind,
        method,
        request: { ...observed.request, input },
        count: retrying ? failed.count + 1 : 1,
        at: exchange.t0 + outcome.latencyMs,
        status: outcome.status,
        message: failure ?? 'no response',
        processed: (retrying && failed.processed) || Boolean(response?.id),
      };
      this.opts.sink.event({
        ...this.event(this.nextTurn),
        type: 'error',
        kind: 'model_request',
        message: `${kind} request: ${failure ?? 'no response'}`,
      });
      return;
    }
    conversation.failed = null;
    this.record(
      { ...exchange, retries: exchange.retries + (retrying ? failed.count : 0) },
      {
        observed: retried,
        logical: { ...observed.request, input: reuseKnownItems(input, conversation) },
        key,
        processedBefore: retrying && failed.processed ? failed.request : null,
      },
      outcome,
      response,
      conversation,
    );
  }

  private record(
    exchange: Exchange,
    request: {
      observed: ObservedRequest;
      logical: ModelRequest;
      key: string;
      /** The failed attempt this request retries, when the provider had read its prompt. */
      processedBefore: ModelRequest | null;
    },
    outcome: Pick<ExchangeOutcome, 'latencyMs' | 'ttftMs'>,
    response: ObservedResponse,
    conversation: Conversation,
  ): void {
    const { observed, logical } = request;
    const turn = this.nextTurn++;
    if (observed.kind === 'agent') this.agentTurns += 1;
    const usage = response.usage ?? ZERO_USAGE;
    if (!response.usage) {
      this.opts.sink.event({
        ...this.event(turn),
        type: 'error',
        kind: 'no_usage',
        message: `the provider reported no usage for turn ${turn}; its tokens are recorded as 0`,
      });
    }
    const output = response.output as OutputItem[];
    const outputRendered =
      output.length > 0 ? renderedItems(outputItemsAsInput(output), renderedResponsesItem) : [];
    // Compaction and summary requests are checked against the last turn without becoming it; a
    // warm-up becomes the turn the next request extends.
    const side = observed.kind === 'compaction' || observed.kind === 'summary';
    const afterCompaction = !side && conversation.afterCompaction;
    const checkInput = {
      turn,
      request: logical,
      inputTokens: usage.inputTokens,
      cachedTokens: usage.cachedTokens,
      afterCompaction,
      processedBefore: request.processedBefore,
    };
    const forensics: TurnForensics = side
      ? conversation.forensics.peek(checkInput)
      : conversation.forensics.turn({ ...checkInput, outputAsInput: outputRendered });
    const turnResponse = {
      id: response.id ?? `turn-${turn}`,
      usage,
      latencyMs: outcome.latencyMs,
      ttftMs: outcome.ttftMs,
      bytesSent: exchange.bytesSent,
      retries: exchange.retries,
      incompleteReason: response.incompleteReason,
      cacheDiagnostics: response.diagnostics,
    };
    const record: TurnRecord = {
      ...this.tracker.recordChecked({
        kind: observed.kind,
        turn,
        startedAt: exchange.startedAt,
        model: response.model ?? observed.model,
        response: turnResponse,
        forensics,
        afterCompaction,
        toolCalls: response.toolCalls,
      }),
      response_id: response.id,
      conversation: request.key,
    };
    this.opts.sink.turn(record);
    addUsage(this.opts.totals, { usage, bytesSent: exchange.bytesSent }, record.cost_usd);
    // The agent runs the calls itself; what the proxy knows is how many the model asked for.
    this.opts.totals.toolCalls += response.toolCalls;
    this.usages.push({
      turn,
      conversation: request.key,
      kind: observed.kind,
      responseId: response.id,
      usage,
    });
    conversation.known = outputRendered.length > 0 ? [...logical.input, ...outputRendered] : logical.input;
    if (response.id) {
      this.byResponseId.set(response.id, request.key);
      conversation.lastResponseId = response.id;
      conversation.lastChain = { input: logical.input, output: outputRendered };
    }
    this.cacheBreak(record, logical, conversation, afterCompaction);

    if (side) {
      this.flushCompaction(conversation, null);
      conversation.pending = {
        method: observed.method ?? 'summary',
        turn,
        tokensBefore: conversation.last?.inputTokens ?? usage.inputTokens,
        itemsBefore: logical.input.length,
        itemsOut: output.length,
        latencyMs: outcome.latencyMs,
        usage,
        cost: record.cost_usd,
      };
      conversation.afterCompaction = true;
      return;
    }
    this.flushCompaction(conversation, record);
    conversation.afterCompaction = false;
    if (output.some((item) => item.type === 'compaction')) {
      // Server-side compaction (`context_management`): the answer itself carries the compaction.
      conversation.pending = {
        method: 'server',
        turn,
        tokensBefore: usage.inputTokens,
        itemsBefore: logical.input.length,
        itemsOut: output.length,
        latencyMs: 0,
        usage: null,
        cost: 0,
      };
      conversation.afterCompaction = true;
    }
    conversation.last = {
      request: logical,
      output,
      outputRendered,
      inputTokens: usage.inputTokens,
    };
  }

  private cacheBreak(
    record: TurnRecord,
    logical: ModelRequest,
    conversation: Conversation,
    afterCompaction: boolean,
  ): void {
    if (record.prefix.extends_previous !== false || afterCompaction) return;
    this.opts.totals.cacheBreaks += 1;
    const reason = record.prefix.reason ?? 'unknown';
    const last = conversation.last;
    const diff =
      last && !conversation.diffedReasons.has(reason)
        ? describePromptChange(
            { ...last.request, input: [...last.request.input, ...last.outputRendered] },
            logical,
          )
        : null;
    conversation.diffedReasons.add(reason);
    this.opts.sink.event(cacheBreakEvent(this.event(record.turn), record.prefix, diff));
  }

  /** A compaction is written once the turn after it shows what it left (or at the end of the sample). */
  private flushCompaction(conversation: Conversation, next: TurnRecord | null): void {
    const pending = conversation.pending;
    if (!pending) return;
    conversation.pending = null;
    this.opts.totals.compactions += 1;
    this.opts.sink.event({
      ...this.event(next?.turn ?? pending.turn),
      type: 'compaction',
      method: pending.method,
      tokens_before: pending.tokensBefore,
      tokens_after: next ? next.input_tokens : null,
      items_before: pending.itemsBefore,
      items_after: next ? next.item_count : pending.itemsOut,
      latency_ms: pending.latencyMs,
      input_tokens: pending.usage?.inputTokens ?? 0,
      output_tokens: pending.usage?.outputTokens ?? 0,
      cost_usd: pending.cost,
    });
  }

  /** The sample is over: compactions no turn followed are written now. */
  close(): void {
    for (const conversation of this.conversations.values()) this.flushCompaction(conversation, null);
  }
}
