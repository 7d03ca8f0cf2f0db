import { costUsd, type Pricing, priceFor } from '../config/index.js';
import type { ModelRequest, NormalisedUsage, OutputItem } from '../model/index.js';
import {
  describePromptChange,
  type EventRecord,
  type SampleRecord,
  SCHEMA_VERSION,
  type TokenCounter,
  type TurnRecord,
} from '../telemetry/index.js';
import { SessionForensics, type TurnCacheFindings } from './forensics.js';
import type { GroupBy } from './group-by.js';
import { SampleBook, type SampleKey, sampleKey } from './samples.js';
import { inRange, type TimeRange } from './time-range.js';
import type { IngestEvent, IngestedCompaction, IngestedRequest, SessionStart } from './types.js';

/** Where the records go: a run folder's files, or a test's arrays. */
export interface IngestSink {
  turn(record: TurnRecord): void;
  event(record: EventRecord): void;
  sample(record: SampleRecord): void;
}

export interface RunBuilderOptions {
  runId: string;
  groupBy: GroupBy;
  range: TimeRange;
  pricing: Pricing;
  sink: IngestSink;
  warn: (message: string) => void;
  countTokens?: TokenCounter;
}

interface OpenSession {
  start: SessionStart;
  forensics: SessionForensics;
  lastModel: string | null;
  /** The sample its last ingested request went to, and that request's task: the task's end is recorded there. */
  lastSample: string | null;
  lastTask: number | null;
  /** The previous full request (plain format only), for the prompt diff of a break. */
  previousFull: { request: ModelRequest; output: OutputItem[] } | null;
  ingestedTurns: number;
  /** Errors of a sample not opened yet (an error before its task's first request): written when it opens. */
  heldErrors: HeldError[];
}

type IngestedError = Extract<IngestEvent, { type: 'error' }>;

interface HeldError {
  sampleId: string;
  error: IngestedError;
}

export interface RunBuildStats {
  sessions: number;
  turns: number;
  samples: number;
  sampleIds: string[];
  variants: string[];
  /** ms since epoch of the first and last ingested request; null when none was. */
  firstAt: number | null;
  lastAt: number | null;
}

const NOT_CHECKED = {
  extends_previous: null,
  diverged_at: null,
  reason: null,
  lost_tokens: null,
  detail: null,
};

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Turns ingest events into the records of a run: turn records (with the cache forensics), cache
 * break and compaction events, sample records. Streaming: it holds the open sessions' state and one
 * accumulator per open sample, never the turns.
 */
export class RunBuilder {
  private readonly sessions = new Map<string, OpenSession>();
  /** Every session id seen, with the file it came from: a second copy of a session is skipped. */
  private readonly seen = new Map<string, string>();
  private readonly skipping = new Set<string>();
  private readonly unpriced = new Set<string>();
  private readonly book: SampleBook;
  /** Reasons already given a prompt diff, per sample. */
  private readonly diffed = new Map<string, Set<string>>();
  private readonly sampleIds: string[] = [];
  private readonly variants = new Set<string>();
  private sessionsWithTurns = 0;
  private turns = 0;
  private firstAt: number | null = null;
  private lastAt: number | null = null;

  constructor(private readonly opts: RunBuilderOptions) {
    this.book = new SampleBook(opts.runId, opts.groupBy);
  }

  accept(event: IngestEvent): void {
    if (event.type === 'warning') {
      this.opts.warn(event.message);
      return;
    }
    if (event.type === 'session') {
      this.startSession(event.session);
      return;
    }
    const sessionId =
      event.type === 'request'
        ? event.request.sessionId
        : event.type === 'compaction'
          ? event.compaction.sessionId
          : event.sessionId;
    if (this.skipping.has(sessionId)) {
      if (event.type === 'session_end') this.skipping.delete(sessionId);
      return;
    }
    const session = this.sessions.get(sessionId);
    if (!session) return;
    switch (event.type) {
      case 'request':
        this.request(session, event.request);
        return;
      case 'compaction':
        this.compaction(session, event.compaction);
        return;
      case 'task_end':
        this.taskEnd(session, event);
        return;
      case 'error':
        this.error(session, event);
        return;
      case 'session_end':
        this.endSession(sessionId);
        return;
    }
  }

  /**
   * A task's end (stop reason, final answer, end time) belongs to the sample its own requests went
   * to, and counts only inside the time range: never to another task's sample, nor after `--until`.
   */
  private taskEnd(session: OpenSession, end: Extract<IngestEvent, { type: 'task_end' }>): void {
    if (!inRange(this.opts.range, end.at)) return;
    const sample = session.lastSample;
    if (sample === null || session.lastTask !== end.taskIndex || !this.book.has(sample)) return;
    this.book.endTask(sample, end.at, end.stopReason, end.finalAnswer);
  }

  /**
   * An error belongs to the sample of the task it happened in. That sample may open only with the
   * task's first request, after the error: it is held until then. An error whose sample never
   * opens (no request of its task in the range) points at no sample: it is a warning instead.
   */
  private error(session: OpenSession, error: IngestedError): void {
    if (!inRange(this.opts.range, error.at)) return;
    const key = this.keyFor(session, { taskIndex: error.taskIndex, at: error.at, model: session.lastModel });
    if (this.book.has(key.sampleId)) this.writeError(key.sampleId, error);
    else session.heldErrors.push({ sampleId: key.sampleId, error });
  }

  private writeError(sampleId: string, error: IngestedError): void {
    this.opts.sink.event({
      ...this.header(sampleId, error.at),
      type: 'error',
      kind: error.kind,
      message: error.message,
    });
  }

  /** Writes the held errors whose sample is open; with `final`, the others become warnings. */
  private releaseErrors(session: OpenSession, final: boolean): void {
    if (session.heldErrors.length === 0) return;
    const still: HeldError[] = [];
    for (const held of session.heldErrors) {
      if (this.book.has(held.sampleId)) this.writeError(held.sampleId, held.error);
      else if (final)
        this.opts.warn(`${held.error.source}: Codex error in no ingested sample: ${held.error.message}`);
      else still.push(held);
    }
    session.heldErrors = still;
  }

  private keyFor(
    session: OpenSession,
    fact: { taskIndex: number; at: number; model: string | null },
  ): SampleKey {
    return sampleKey(this.opts.groupBy, session.start, fact);
  }

  private header(sampleId: string, at: number) {
    return {
      schema: SCHEMA_VERSION,
      run_id: this.opts.runId,
      sample_id: sampleId,
      at: iso(at),
      turn: this.book.turnsOf(sampleId),
    };
  }

  private price(model: string) {
    const price = priceFor(this.opts.pricing, model);
    if (!price && !this.unpriced.has(model)) {
      this.unpriced.add(model);
      this.opts.warn(
        `no price for model "${model}" in the pricing table; its cost is unknown (add it with --pricing FILE)`,
      );
    }
    return price;
  }

  private cost(model: string, usage: NormalisedUsage): number | null {
    return costUsd(this.price(model), usage);
  }

  /** Cached tokens are a part of the input: a request said to have more is not believed on that point. */
  private consistent(request: IngestedRequest): IngestedRequest {
    const u = request.usage;
    if (u.cachedTokens === null || u.cachedTokens <= u.inputTokens) return request;
    this.opts.warn(
      `${request.source}: ${u.cachedTokens} cached of ${u.inputTokens} input tokens is impossible; cached tokens recorded as unknown`,
    );
    return { ...request, usage: { ...u, cachedTokens: null } };
  }

  private request(session: OpenSession, reported: IngestedRequest): void {
    const request = this.consistent(reported);
    const findings =
      request.kind === 'agent'
        ? session.forensics.turn(request)
        : request.kind === 'compaction'
          ? session.forensics.peek(request)
          : null;
    if (request.kind === 'summary') session.forensics.sideRequest(request);
    const full = request.prompt?.full ?? null;
    const previousFull = session.previousFull;
    if (request.kind === 'agent') session.previousFull = full;
    session.lastModel = request.model;

    const startedAt = request.startedAt ?? request.endedAt;
    if (!inRange(this.opts.range, startedAt)) return;
    const key = this.keyFor(session, { taskIndex: request.taskIndex, at: startedAt, model: request.model });
    const costUsdOfTurn = this.cost(request.model, request.usage);
    const turn = this.book.addTurn(key, session.start, {
      startedAt,
      endedAt: Math.max(startedAt, request.endedAt),
      usage: request.usage,
      bytesSent: request.bytesSent,
      toolCalls: request.toolCalls,
      costUsd: costUsdOfTurn,
      model: request.model,
      effort: request.effort,
    });
    if (turn === 1) {
      this.sampleOpened(key);
      this.releaseErrors(session, false);
    }
    if (session.ingestedTurns === 0) this.sessionsWithTurns++;
    session.ingestedTurns++;
    session.lastSample = key.sampleId;
    session.lastTask = request.taskIndex;
    this.turns++;
    this.firstAt = Math.min(this.firstAt ?? startedAt, startedAt);
    this.lastAt = Math.max(this.lastAt ?? request.endedAt, request.endedAt);

    const u = request.usage;
    const record: TurnRecord = {
      schema: SCHEMA_VERSION,
      run_id: this.opts.runId,
      sample_id: key.sampleId,
      task_id: key.taskId,
      variant: key.variant,
      epoch: 1,
      turn,
      kind: request.kind,
      started_at: iso(startedAt),
      latency_ms: request.latencyMs,
      ttft_ms: request.ttftMs,
      provider: session.start.provider ?? session.start.agent,
      model: request.model,
      response_id: request.responseId,
      input_tokens: u.inputTokens,
      cached_tokens: u.cachedTokens,
      cache_write_tokens: u.cacheWriteTokens,
      cache_write_12h_tokens: u.cacheWrite12hTokens,
      output_tokens: u.outputTokens,
      reasoning_tokens: u.reasoningTokens,
      cache_hit_rate:
        u.cachedTokens === null || u.inputTokens === 0 ? null : Math.min(1, u.cachedTokens / u.inputTokens),
      bytes_sent: request.bytesSent,
      item_count: request.itemCount,
      instructions_hash: findings?.instructionsHash ?? '',
      tools_hash: findings && request.prompt?.toolsKnown ? request.prompt.fingerprint.toolsHash : '',
      items_hash: findings?.itemsHash ?? '',
      prefix: findings?.prefix ?? { ...NOT_CHECKED },
      expected_cached_tokens: findings ? findings.expectedCachedTokens : null,
      cache_class: findings?.cacheClass ?? 'not_checked',
      provider_diagnostics: null,
      after_compaction: request.kind === 'agent' && request.afterCompaction,
      tool_calls: request.toolCalls,
      retries: null,
      cost_usd: costUsdOfTurn,
      incomplete_reason: null,
      // the session the request belongs to: for Codex its thread, which is what the recording
      // proxy keys a live run's conversations by (a sub-agent is a thread of its own)
      conversation: request.sessionId,
    };
    this.opts.sink.turn(record);
    if (findings) this.cacheBreak(key, record, findings, startedAt, previousFull, full);
  }

  /** A cache break event for every turn whose cached tokens dropped or whose prefix broke, except a compaction's. */
  private cacheBreak(
    key: SampleKey,
    record: TurnRecord,
    findings: TurnCacheFindings,
    at: number,
    previousFull: { request: ModelRequest; output: OutputItem[] } | null,
    full: { request: ModelRequest; output: OutputItem[] } | null,
  ): void {
    const reason = findings.prefix.reason;
    if (reason === null || reason === 'compacted' || record.after_compaction) return;
    this.book.addCacheBreak(key.sampleId);
    const lost = findings.prefix.lost_tokens;
    const price = this.price(record.model);
    const cost =
      lost !== null && price ? (lost * Math.max(0, price.input - price.cached_input)) / 1_000_000 : null;
    let diff: string | null = null;
    const given = this.diffed.get(key.sampleId) ?? new Set<string>();
    if (previousFull && full && !given.has(reason)) {
      diff = describePromptChange(previousFull.request, full.request, previousFull.output);
      given.add(reason);
      this.diffed.set(key.sampleId, given);
    }
    this.opts.sink.event({
      ...this.header(key.sampleId, at),
      turn: record.turn,
      type: 'cache_break',
      reason,
      diverged_at: findings.prefix.diverged_at,
      lost_tokens: lost,
      detail: findings.prefix.detail,
      diff,
      cost_usd: cost,
    });
  }

  private compaction(session: OpenSession, c: IngestedCompaction): void {
    if (!inRange(this.opts.range, c.at)) return;
    const key = this.keyFor(session, {
      taskIndex: c.taskIndex,
      at: c.at,
      model: c.model ?? session.lastModel,
    });
    this.book.addCompaction(key, c.at);
    const model = c.model ?? session.lastModel;
    this.opts.sink.event({
      ...this.header(key.sampleId, c.at),
      type: 'compaction',
      method: c.method,
      tokens_before: c.tokensBefore,
      tokens_after: c.tokensAfter,
      items_before: c.itemsBefore,
      items_after: c.itemsAfter,
      latency_ms: null,
      input_tokens: c.usage?.inputTokens ?? null,
      output_tokens: c.usage?.outputTokens ?? null,
      cost_usd: c.usage && model ? this.cost(model, c.usage) : null,
    });
  }

  private sampleOpened(key: SampleKey): void {
    this.variants.add(key.variant);
  }

  private writeSamples(records: SampleRecord[]): void {
    for (const record of records) {
      this.sampleIds.push(record.sample_id);
      this.opts.sink.sample(record);
    }
  }

  private endSession(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    this.releaseErrors(session, true);
    this.sessions.delete(sessionId);
    this.writeSamples(this.book.closeSession(sessionId));
  }

  /** Closes what is still open (day and model samples). */
  finish(): RunBuildStats {
    for (const id of [...this.sessions.keys()]) this.endSession(id);
    this.writeSamples(this.book.closeAll());
    return {
      sessions: this.sessionsWithTurns,
      turns: this.turns,
      samples: this.sampleIds.length,
      sampleIds: [...this.sampleIds],
      variants: [...this.variants],
      firstAt: this.firstAt,
      lastAt: this.lastAt,
    };
  }

  private startSession(start: SessionStart): void {
    const earlier = this.seen.get(start.id);
    if (earlier !== undefined) {
      this.opts.warn(
        `${start.file}: session ${start.id} was already read from ${earlier}; this copy is skipped`,
      );
      this.skipping.add(start.id);
      return;
    }
    this.seen.set(start.id, start.file);
    this.sessions.set(start.id, {
      start,
      forensics: new SessionForensics(this.opts.countTokens),
      lastModel: null,
      lastSample: null,
      lastTask: null,
      previousFull: null,
      ingestedTurns: 0,
      heldErrors: [],
    });
  }
}
