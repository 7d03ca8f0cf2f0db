import semver from 'semver';
import type { NormalisedUsage } from '../../model/index.js';
import {
  countO200kTokens,
  fingerprintItems,
  fingerprintPrompt,
  hashText,
  type ItemFingerprints,
  renderedResponsesItem,
  type TokenCounter,
} from '../../telemetry/index.js';
import { appendFingerprints, emptyFingerprints, ItemHistory, joinFingerprints } from '../item-history.js';
import {
  agrees,
  asNormalisedUsage,
  describeCounts,
  TokenCountDedup,
  type TokenCounts,
} from '../token-counts.js';
import type {
  CompactionMethod,
  IngestEvent,
  IngestedCompaction,
  IngestedRequest,
  StopReason,
} from '../types.js';
import {
  baseInstructionsItem,
  isBaseInstructionsItem,
  sendsBaseInstructionsAsItem,
} from './base-instructions.js';
import { sessionIdFromFileName } from './copies.js';
import {
  assistantText,
  type CodexLine,
  isCompactionItem,
  isOutputItem,
  isSentItem,
  isToolCall,
  type MetaFacts,
  type ResponseItem,
} from './parse-line.js';

/** A request being read: opened by its first output item (or its usage report), closed by its usage. */
interface Draft {
  taskIndex: number;
  kind: 'agent' | 'compaction' | 'summary';
  model: string;
  effort: string | null;
  settings: Record<string, string | null>;
  afterCompaction: boolean;
  /** The input as sent; null when the history is unknown. */
  inputs: ItemFingerprints | null;
  startedAt: number | null;
  outputs: ItemFingerprints;
  /** Output items of its own recorded in the log (a compaction_trigger request has none: its output is the `compacted` line). */
  outputItems: number;
  lastOutputAt: number | null;
  toolCalls: number;
  compactionOutput: boolean;
  /** Set when its usage is read. */
  usage: NormalisedUsage | null;
  endedAt: number;
  latencyEnd: number;
  responseId: string | null;
  source: string;
  /** Input-side items recorded since its usage report (a compaction right after it proves it compacted). */
  inputsSinceEnd: number;
}

interface PendingCompaction extends Omit<IngestedCompaction, 'usage' | 'model'> {
  request: Draft | null;
}

/**
 * Where a request's output sits relative to its usage report. Codex records items as they stream
 * in, then the usage (`A`, current versions); older versions reported the usage as the response
 * completed and recorded the turn's items afterwards, tool outputs interleaved (`B`). The first
 * usage report of a session tells which (output items before it mean `A`), and again the first
 * after another Codex took the file over.
 */
type Order = 'A' | 'B';

/**
 * What newer Codex writes and older did not: line ordinals, `token_usage_record` lines, task
 * markers (0.4x wrote none). A resume by a newer Codex appends to the file of an older one without
 * a `session_meta` of its own (0.171 resuming 0.47), so the first such line after usage reports
 * without it is where the writer changed.
 */
type LineFeature = 'ordinal' | 'usage_record' | 'task_marker';

/** An assistant message with text to show (not, say, a refusal alone): cheap, no parse of the parts. */
function hasOutputText(item: ResponseItem): boolean {
  return (
    Array.isArray(item.content) &&
    item.content.some((part: unknown) => (part as { type?: unknown } | null)?.type === 'output_text')
  );
}

/** Rollouts of Codex before this release (as far as known) recorded no token usage at all. */
const FIRST_RELEASE_LOGGING_USAGE = '0.30.0';

/**
 * The usage reports read so far in one ingest, per session id (as keys of `parseCodexLine`). A fork
 * of Codex before paginated history starts its file with a copy of its parent's lines, usage
 * reports included: those already read in the parent's file are the parent's requests, not the
 * fork's. Parents sort before their forks (the file name starts with the creation time).
 */
export type SeenUsage = Map<string, Set<string>>;

/**
 * An item as the provider renders it, which is what the prefix check compares: without the keys
 * Codex adds to its own records of an item but never sends (`internal_*`), and reduced as the
 * recording proxy reduces a request's items (no ids, no status: Codex gives the context items it
 * renders again after a compaction new ids, which no provider sees).
 */
function asSent(item: ResponseItem): object {
  const sent: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item)) if (!key.startsWith('internal_')) sent[key] = value;
  return renderedResponsesItem(sent);
}

/**
 * Reads one Codex rollout, line by line, into ingest events: one `request` per model request
 * (repeated usage reports counted once), compactions, task ends. Holds per-item digests of the
 * current history, the request in flight and at most one finished request (kept until the next
 * line shows whether it was a compaction's); nothing else of the file.
 */
export class CodexSessionReader {
  private queue: IngestEvent[] = [];
  private sessionId: string | null = null;
  private sessionStarted = false;
  private meta: MetaFacts | null = null;
  private firstAt: number | null = null;
  private lastAt: number | null = null;
  /** Time of the last input-side line: when the next request was sent, at the latest. */
  private anchorAt: number | null = null;
  private model: string | null = null;
  private settingsModel: string | null = null;
  private effort: string | null = null;
  private instructionsHash: string | null = null;
  private readonly history: ItemHistory;
  /** Codex ≥ 0.162 sends its base instructions as the first input item, not as `instructions`. */
  private baseAsItem = false;
  /** The history holds the base instructions itself (then Codex sends no item in front of it). */
  private baseInHistory = false;
  /** The item Codex sends in front of the history, fingerprinted once per session. */
  private baseItem: ItemFingerprints | null = null;
  private trigger: ItemFingerprints | null = null;
  private readonly dedup = new TokenCountDedup();
  /**
   * Codex ≥ 0.170 writes a `token_usage_record` per model request (with its response id) besides
   * the `token_count` events. Once the log has one, the records alone are the requests: token_count
   * leaves out the compaction_trigger request and keeps a running total of its own, so mixing the
   * two would count requests twice and take one total's growth for the other's.
   */
  private readonly recordDedup = new TokenCountDedup();
  private recordsSeen = false;
  /** The usage of the last request counted from a record, which the token_count after it repeats. */
  private lastRecorded: TokenCounts | null = null;
  private outputSinceUsage = false;
  private order: Order | null = null;
  /** The line features (see LineFeature) seen so far in the file. */
  private readonly features = new Set<LineFeature>();
  private open: Draft | null = null;
  private pending: Draft | null = null;
  private taskIndex = 0;
  private taskHasRequests = false;
  private taskEnded = true;
  /**
   * The task's last assistant message with text: its answer when no task_complete gives one (Codex
   * 0.4x writes none). Kept as the item; its text is read only then, not for every item.
   */
  private lastAssistant: ResponseItem | null = null;
  private afterCompaction = false;
  private compaction: PendingCompaction | null = null;
  private requestSinceCompaction = true;
  private lastAgentContext: number | null = null;
  private requests = 0;
  private lines = 0;
  /** This session's usage reports, as `seenUsage` holds them for the forks read after it. */
  private ownUsage: Set<string> | null = null;
  /** While reading a history copied from another session: that session's usage reports. */
  private copied: Set<string> | null = null;

  constructor(
    private readonly file: string,
    private readonly countTokens: TokenCounter = countO200kTokens,
    private readonly seenUsage: SeenUsage = new Map(),
  ) {
    this.history = new ItemHistory(countTokens);
  }

  /** Events produced so far, in log order; the queue is emptied. */
  drain(): IngestEvent[] {
    const out = this.queue;
    this.queue = [];
    return out;
  }

  warn(message: string, unreadableLine = false): void {
    this.queue.push(
      unreadableLine ? { type: 'warning', message, unreadableLine } : { type: 'warning', message },
    );
  }

  line(line: CodexLine, at: number | null, source: string, ordinal: number | null = null): void {
    this.lines++;
    if (at !== null) {
      this.firstAt ??= at;
      this.lastAt = at;
    }
    this.noteFeatures(line, ordinal);
    const ownFrom = this.meta?.ownFromOrdinal ?? null;
    if (ownFrom !== null && ordinal !== null && ordinal < ownFrom && this.inheritedLine(line, at)) return;
    switch (line.kind) {
      case 'meta':
        this.onMeta(line.meta, at, source);
        return;
      case 'context':
        this.model = line.model ?? this.model;
        this.effort = line.effort;
        this.instructionsHash = line.instructions === null ? null : hashText(line.instructions);
        this.anchor(at);
        return;
      case 'settings':
        this.settingsModel = line.model ?? this.settingsModel;
        if (this.effort === null) this.effort = line.effort;
        return;
      case 'item':
        this.onItem(line.item, at);
        return;
      case 'usage':
        this.onUsage(line, at, source);
        return;
      case 'compacted':
        // A compaction in a copied history is the parent's: its result is this history, nothing more.
        if (this.copied) this.replaceHistory(line.replacement);
        else this.onCompaction(line.replacement, at, source);
        return;
      case 'context_compacted':
        if (this.copied) return;
        // The event that accompanies a `compacted` line; alone (some versions) it still marks one.
        if (this.compaction && !this.requestSinceCompaction) return;
        this.onCompaction(null, at, source);
        return;
      case 'rollback':
        this.replaceHistory(null);
        this.anchor(at);
        return;
      case 'task_started':
        this.flushPending();
        this.endTaskIfOpen('log_ended', null, at);
        this.taskIndex++;
        this.taskHasRequests = false;
        this.lastAssistant = null;
        this.taskEnded = false;
        this.anchor(at);
        return;
      case 'task_complete':
        this.endTask('final', line.lastMessage, at);
        return;
      case 'turn_aborted':
        this.endTask('aborted', null, at);
        return;
      case 'error':
        if (this.copied) return; // the parent's
        this.startSession();
        this.queue.push({
          type: 'error',
          sessionId: this.id(),
          taskIndex: Math.max(1, this.taskIndex),
          at: at ?? this.lastAt ?? 0,
          kind: 'codex_error',
          message: line.message,
          source,
        });
        return;
      case 'ignored':
        return;
    }
  }

  /**
   * A line of the history a sub-agent inherited (Codex 0.171: its parent's lines, copied into the
   * sub-agent's file before `subagent_history_start_ordinal`). It builds the history the sub-agent's
   * first request resends and nothing else: the parent's requests, usage reports and tasks are the
   * parent's (counted in its own file), not the sub-agent's. False: the line is read as any other
   * (the settings the parent's history was built under hold until the sub-agent's own).
   */
  private inheritedLine(line: CodexLine, at: number | null): boolean {
    switch (line.kind) {
      case 'context':
      case 'settings':
        return false;
      case 'item':
        if (isSentItem(line.item) && this.history.known) this.pushInput(line.item);
        this.anchor(at);
        return true;
      case 'compacted':
        this.replaceHistory(line.replacement);
        return true;
      case 'rollback':
        this.replaceHistory(null);
        return true;
      default:
        return true;
    }
  }

  /**
   * A line of a kind the file's writer so far never wrote, after usage reports: a newer Codex
   * resumed the session in this file. Its layout is told afresh: where a response's items sit
   * (from its first usage report), and where the base instructions go, which without a
   * `session_meta` naming the version is unknown, taken for the older layout (as for a log without
   * `cli_version`).
   */
  private noteFeatures(line: CodexLine, ordinal: number | null): void {
    // Called for every line: no allocation, and a feature already seen costs one Set lookup.
    if (ordinal !== null) this.noteFeature('ordinal');
    if (line.kind === 'usage' && line.from === 'record') this.noteFeature('usage_record');
    if (line.kind === 'task_started' || line.kind === 'task_complete') this.noteFeature('task_marker');
  }

  private noteFeature(feature: LineFeature): void {
    if (this.features.has(feature)) return;
    this.features.add(feature);
    if (this.order === null || this.copied) return;
    this.flushPending(); // the older writer's last response is complete
    this.order = null;
    this.baseAsItem = sendsBaseInstructionsAsItem(null);
    this.baseItem = null;
  }

  /** End of the file: whatever is still open is finished as the log leaves it. */
  end(): void {
    this.open = null; // a request whose usage was never reported (the session was cut off)
    this.flushPending();
    this.emitCompaction(null);
    if (this.requests === 0 && this.lines > 0)
      this.queue.push({
        type: 'warning',
        message: `${this.file}: ${this.whyNoRequest()}; nothing ingested`,
        noRequest: true,
      });
    if (!this.sessionStarted) return;
    this.endTaskIfOpen('log_ended', null, this.lastAt);
    this.queue.push({ type: 'session_end', sessionId: this.id(), at: this.lastAt });
  }

  /**
   * A log with no request: the oldest rollouts recorded no usage at all; a newer Codex's log without
   * any is a session whose requests all failed or were cut off (it logs no usage for a failed one),
   * which gives no sample: there is nothing to measure, and the log does not say why it failed.
   */
  private whyNoRequest(): string {
    const version = semver.valid(this.meta?.cliVersion?.trim() ?? null);
    if (version === null || semver.lt(version, FIRST_RELEASE_LOGGING_USAGE)) {
      return 'no token usage in this log (rollouts of Codex before 0.3x recorded none)';
    }
    const tasks = this.taskIndex;
    const started = tasks === 1 ? '1 task started' : `${tasks} tasks started`;
    return tasks === 0
      ? 'no completed model request in this log (no task started, no token usage)'
      : `no completed model request in this log (${started}, none with token usage: ${tasks === 1 ? 'its' : 'their'} requests failed or were cut off)`;
  }

  private id(): string {
    this.sessionId ??= sessionIdFromFileName(this.file);
    return this.sessionId;
  }

  private startSession(): void {
    if (this.sessionStarted) return;
    this.sessionStarted = true;
    const meta = this.meta;
    const tags = ['codex'];
    if (meta?.cliVersion) tags.push(`codex:${meta.cliVersion}`);
    if (meta?.source) tags.push(`source:${meta.source}`);
    const metaAt = meta?.timestamp ? Date.parse(meta.timestamp) : Number.NaN;
    this.queue.push({
      type: 'session',
      session: {
        id: this.id(),
        file: this.file,
        agent: 'codex',
        agentVersion: meta?.cliVersion ?? null,
        provider: meta?.provider ?? null,
        cwd: meta?.cwd ?? null,
        startedAt: Number.isNaN(metaAt) ? this.firstAt : metaAt,
        tags,
      },
    });
  }

  private onMeta(meta: MetaFacts, at: number | null, source: string): void {
    // A fork or a resumed file may repeat a session_meta; the first one names the session.
    if (this.meta) {
      // Another session's, before any request of this one: the start of a history copied from it.
      if (meta.id && meta.id !== this.meta.id && this.requests === 0 && !this.copied)
        this.startCopy(meta.id, source);
      return;
    }
    this.meta = meta;
    this.baseAsItem = sendsBaseInstructionsAsItem(meta.cliVersion);
    if (meta.id && !this.sessionStarted) this.sessionId = meta.id;
    // The requests of a fork or sub-agent with paginated history resend a history this file lacks.
    if (meta.historyElsewhere) this.replaceHistory(null);
    this.anchor(at);
  }

  private startCopy(parent: string, source: string): void {
    const parentUsage = this.seenUsage.get(parent);
    if (parentUsage) {
      this.copied = parentUsage;
      return;
    }
    this.warn(
      `${source}: history copied from session ${parent}, whose log was not read before this one; its requests in the copy cannot be told from this session's own and are counted here`,
    );
  }

  private usageSeen(key: string): void {
    if (!this.ownUsage) {
      this.ownUsage = new Set();
      this.seenUsage.set(this.id(), this.ownUsage);
    }
    this.ownUsage.add(key);
  }

  /** A usage report of the copied history: it sets the running total the session goes on from, and counts nothing. */
  private onCopiedUsage(line: Extract<CodexLine, { kind: 'usage' }>, at: number | null): void {
    const dedup = line.from === 'record' ? this.recordDedup : this.dedup;
    dedup.accept({ last: line.last, total: line.total }, this.outputSinceUsage);
    this.outputSinceUsage = false;
    this.order ??= this.open ? 'A' : 'B';
    this.open = null;
    this.anchor(at);
  }

  private anchor(at: number | null): void {
    if (at !== null) this.anchorAt = at;
  }

  private currentModel(): string {
    return this.model ?? this.settingsModel ?? this.meta?.model ?? 'unknown';
  }

  private draft(startedAt: number | null): Draft {
    const afterCompaction = this.afterCompaction;
    this.afterCompaction = false;
    return {
      taskIndex: Math.max(1, this.taskIndex),
      kind: 'agent',
      model: this.currentModel(),
      effort: this.effort,
      settings: { reasoning_effort: this.effort, instructions: this.instructionsHash },
      afterCompaction,
      // A request always sends some input: an empty history means the log does not record it.
      inputs: this.history.known && this.history.length > 0 ? this.requestInputs() : null,
      startedAt,
      outputs: emptyFingerprints(),
      outputItems: 0,
      lastOutputAt: null,
      toolCalls: 0,
      compactionOutput: false,
      usage: null,
      endedAt: 0,
      latencyEnd: 0,
      responseId: null,
      source: '',
      inputsSinceEnd: 0,
    };
  }

  /** The input of a request sent now: the history, behind the base instructions where Codex sends them so. */
  private requestInputs(): ItemFingerprints {
    const history = this.history.prefix(this.history.length);
    if (!this.baseAsItem || this.baseInHistory) return history;
    this.baseItem ??= fingerprintItems(
      [asSent(baseInstructionsItem(this.meta?.instructions ?? ''))],
      this.countTokens,
    );
    return joinFingerprints(this.baseItem, history);
  }

  /** The `compaction_trigger` item a trigger compaction request ends with, fingerprinted once per session. */
  private triggerItem(): ItemFingerprints {
    this.trigger ??= fingerprintItems([{ type: 'compaction_trigger' }], this.countTokens);
    return this.trigger;
  }

  /** Items of a request sent with this many history items: one more where Codex sends its base instructions in front. */
  private requestItems(historyItems: number): number {
    return historyItems + (this.baseAsItem && !this.baseInHistory ? 1 : 0);
  }

  /** A compaction's replacement history, or null when the history is unknown from here. */
  private replaceHistory(items: readonly ResponseItem[] | null): number | null {
    const sent = items?.filter(isSentItem) ?? null;
    this.history.replace(sent?.map(asSent) ?? null);
    const base = this.meta?.instructions ?? null;
    this.baseInHistory = sent?.some((item) => isBaseInstructionsItem(item, base)) ?? false;
    return sent ? sent.length : null;
  }

  /** An item joins the known history, not as a request's output (it may be the base instructions themselves). */
  private pushInput(item: ResponseItem): void {
    this.history.push(asSent(item));
    if (isBaseInstructionsItem(item, this.meta?.instructions ?? null)) this.baseInHistory = true;
  }

  private onItem(item: ResponseItem, at: number | null): void {
    if (!isSentItem(item)) return;
    if (!isOutputItem(item)) {
      if (this.history.known) this.pushInput(item);
      if (this.pending) this.pending.inputsSinceEnd++;
      this.anchor(at);
      return;
    }
    let target: Draft;
    if (this.order === 'B' && this.pending) target = this.pending;
    else {
      this.open ??= this.draft(this.anchorAt);
      target = this.open;
    }
    if (this.history.known) appendFingerprints(target.outputs, this.history.push(asSent(item)));
    target.outputItems++;
    if (isToolCall(item)) target.toolCalls++;
    if (isCompactionItem(item)) target.compactionOutput = true;
    if (item.role === 'assistant' && (item.type ?? 'message') === 'message' && hasOutputText(item))
      this.lastAssistant = item;
    if (at !== null) target.lastOutputAt = at;
    this.outputSinceUsage = true;
  }

  private onUsage(line: Extract<CodexLine, { kind: 'usage' }>, at: number | null, source: string): void {
    // Records of other threads (sub-agents) have files of their own.
    if (line.threadId && this.sessionId && line.threadId !== this.sessionId) return;
    this.usageSeen(line.key);
    if (this.copied?.has(line.key)) {
      this.onCopiedUsage(line, at);
      return;
    }
    this.copied = null; // the first report of this session's own ends the copy
    const fromRecord = line.from === 'record';
    if (fromRecord) this.recordsSeen = true;
    const dedup = fromRecord ? this.recordDedup : this.dedup;
    const verdict = dedup.accept({ last: line.last, total: line.total }, this.outputSinceUsage);
    this.outputSinceUsage = false;
    if (verdict.kind === 'repeat') return;
    if (verdict.kind === 'context') {
      if (this.compaction && this.compaction.tokensAfter === null)
        this.compaction.tokensAfter = verdict.contextTokens;
      return;
    }
    if (verdict.warning) this.warn(`${source}: ${verdict.warning}`);
    if (!fromRecord && this.recordsSeen) {
      this.crossCheck(verdict.usage, source);
      this.anchor(at);
      return;
    }
    if (fromRecord) this.lastRecorded = verdict.usage;
    const usage = asNormalisedUsage(verdict.usage);
    if (!usage) {
      this.warn(`${source}: token usage without input or output tokens; not counted`);
      return;
    }
    this.order ??= this.open ? 'A' : 'B';
    let draft: Draft;
    if (this.order === 'A' && this.open) {
      draft = this.open;
      this.open = null;
    } else draft = this.draft(this.anchorAt);
    this.flushPending();
    const endedAt = at ?? this.lastAt ?? draft.startedAt ?? 0;
    // When tool outputs were recorded between the response's last item and this report, the
    // response ended with its last item.
    const outputsThenInputs =
      draft.lastOutputAt !== null && this.anchorAt !== null && this.anchorAt > draft.lastOutputAt;
    draft.usage = usage;
    draft.endedAt = endedAt;
    draft.latencyEnd = outputsThenInputs ? draft.lastOutputAt! : endedAt;
    draft.responseId = line.responseId;
    draft.source = source;
    this.pending = draft;
    this.anchor(at);
  }

  /** A token_count next to the records: Codex's second account of the request just recorded. */
  private crossCheck(counted: TokenCounts, source: string): void {
    const recorded = this.lastRecorded;
    this.lastRecorded = null;
    if (recorded && agrees(counted, recorded)) return;
    this.warn(
      recorded
        ? `${source}: token_count says ${describeCounts(counted)} but the token_usage_record before it says ${describeCounts(recorded)}; the record is counted`
        : `${source}: token_count for a request without a token_usage_record; not counted (the records are)`,
    );
  }

  private onCompaction(replacement: readonly ResponseItem[] | null, at: number | null, source: string): void {
    const candidate = this.open ?? (this.pending && this.pending.inputsSinceEnd === 0 ? this.pending : null);
    const remote = replacement?.some(isCompactionItem) ?? false;
    // Current Codex records a response's items before its usage; a finished request with no item
    // of its own right before the `compacted` line is the compaction_trigger request, whose only
    // output (the compaction item) Codex keeps in that line.
    const silent = this.order === 'A' && candidate?.usage != null && candidate.outputItems === 0;
    const method: CompactionMethod = remote
      ? candidate?.compactionOutput || silent
        ? 'trigger'
        : 'endpoint'
      : 'summary';
    const request = method === 'endpoint' ? null : candidate;

    if (this.compaction && !this.requestSinceCompaction) {
      // The same compaction told twice (`context_compacted` next to `compacted`): keep the richer one.
      if (replacement) {
        this.compaction.itemsAfter = this.requestItems(this.replaceHistory(replacement)!);
        this.compaction.method = method;
      }
      return;
    }
    if (request) request.kind = method === 'trigger' ? 'compaction' : 'summary';
    // What finished before the compaction (its own request included) goes out before it.
    this.flushPending();
    this.emitCompaction(null);
    // Item counts as a request holds them (the base instructions item included where Codex sends
    // one). A trigger compaction's request also holds the `compaction_trigger` item the log lacks (a
    // summary request's appended prompt is matched by the summary it answered, which the log has).
    const itemsBefore = this.history.known
      ? this.requestItems(this.history.length) + (method === 'trigger' ? 1 : 0)
      : null;
    const kept = this.replaceHistory(replacement);
    this.compaction = {
      sessionId: this.id(),
      taskIndex: Math.max(1, this.taskIndex),
      at: at ?? this.lastAt ?? 0,
      method,
      tokensBefore: this.lastAgentContext,
      tokensAfter: null,
      itemsBefore,
      itemsAfter: kept === null ? null : this.requestItems(kept),
      request,
      source,
    };
    this.afterCompaction = true;
    this.requestSinceCompaction = false;
    this.anchor(at);
  }

  private emitCompaction(nextInputTokens: number | null): void {
    const c = this.compaction;
    if (!c) return;
    this.compaction = null;
    this.startSession();
    const { request, ...rest } = c;
    this.queue.push({
      type: 'compaction',
      compaction: {
        ...rest,
        tokensAfter: rest.tokensAfter ?? nextInputTokens,
        usage: request?.usage ?? null,
        model: request?.model ?? null,
      },
    });
  }

  private flushPending(): void {
    const draft = this.pending;
    if (!draft?.usage) return;
    this.pending = null;
    if (draft.kind === 'agent') this.emitCompaction(draft.usage.inputTokens);
    this.emitRequest(draft, draft.usage);
  }

  private emitRequest(draft: Draft, usage: NormalisedUsage): void {
    this.startSession();
    this.requests++;
    this.taskHasRequests = true;
    this.taskEnded = false;
    if (draft.kind === 'agent') {
      this.requestSinceCompaction = true;
      this.lastAgentContext = usage.inputTokens + usage.outputTokens;
    }
    // A compaction request is the history plus the one item Codex appends to ask for it (a
    // `compaction_trigger` item, or for a summary the summarisation prompt); the log keeps neither.
    const inputs =
      draft.inputs && draft.kind === 'compaction'
        ? joinFingerprints(draft.inputs, this.triggerItem())
        : draft.inputs;
    const prompt = inputs
      ? {
          fingerprint: fingerprintPrompt(
            {
              model: draft.model,
              // Codex ≥ 0.162 sends no `instructions` field (its base instructions are an input item).
              instructions: this.baseAsItem ? '' : (this.meta?.instructions ?? ''),
              tools: [],
              settings: { reasoningEffort: draft.effort, parallelToolCalls: false },
              promptCacheKey: null,
            },
            inputs,
            this.countTokens,
          ),
          output: draft.outputs,
          toolsKnown: false,
        }
      : null;
    const request: IngestedRequest = {
      sessionId: this.id(),
      taskIndex: draft.taskIndex,
      kind: draft.kind,
      model: draft.model,
      effort: draft.effort,
      settings: draft.settings,
      startedAt: draft.startedAt,
      endedAt: draft.latencyEnd,
      latencyMs: draft.startedAt === null ? null : Math.max(0, draft.latencyEnd - draft.startedAt),
      ttftMs: null,
      bytesSent: null,
      usage,
      responseId: draft.responseId,
      toolCalls: draft.toolCalls,
      itemCount: draft.inputs ? draft.inputs.hashes.length + (draft.kind === 'agent' ? 0 : 1) : null,
      prompt,
      afterCompaction: draft.afterCompaction,
      source: draft.source,
    };
    this.queue.push({ type: 'request', request });
  }

  private endTask(reason: StopReason, finalAnswer: string | null, at: number | null): void {
    this.flushPending();
    this.startSession();
    this.taskEnded = true;
    this.queue.push({
      type: 'task_end',
      sessionId: this.id(),
      taskIndex: Math.max(1, this.taskIndex),
      at: at ?? this.lastAt ?? 0,
      stopReason: reason,
      finalAnswer: finalAnswer ?? (this.lastAssistant ? assistantText(this.lastAssistant) : null),
    });
    this.anchor(at);
  }

  private endTaskIfOpen(reason: StopReason, finalAnswer: string | null, at: number | null): void {
    if (this.taskEnded || !this.taskHasRequests) return;
    this.endTask(reason, finalAnswer, at);
  }
}
