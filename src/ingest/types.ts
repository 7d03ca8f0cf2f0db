import type { ModelRequest, NormalisedUsage, OutputItem } from '../model/index.js';
import type { ItemFingerprints, PromptFingerprint } from '../telemetry/index.js';

/** Where a fact came from: `file:line`, for warnings and for people reading the records. */
export type SourceRef = string;

/** What a log tells about one request's prompt when it holds the prompt (or the history it was built from). */
export interface PromptEvidence {
  fingerprint: PromptFingerprint;
  /** The response's output items as they would be resent, fingerprinted. */
  output: Pick<ItemFingerprints, 'hashes' | 'tokens' | 'digests'>;
  /** False when the log does not list the tools (Codex rollouts): the fingerprint then has none. */
  toolsKnown: boolean;
  /** The full request and output, only when the log line carried them (plain format): for the prompt diff. */
  full?: { request: ModelRequest; output: OutputItem[] };
}

/** One model request read from a session log. */
export interface IngestedRequest {
  sessionId: string;
  /** 1-based index of the user task (Codex `task_started`) the request belongs to. */
  taskIndex: number;
  kind: 'agent' | 'compaction' | 'summary';
  /** `unknown` when the log never names it. */
  model: string;
  effort: string | null;
  /**
   * Everything besides the model that heads the prompt and that the log shows (reasoning effort,
   * a hash of instructions): a change of any breaks the cached prefix (`settings_changed`).
   */
  settings: Readonly<Record<string, string | null>>;
  /** ms since epoch; null when the log marks no start. */
  startedAt: number | null;
  /** ms since epoch: when the response ended (Codex: its last item or its usage report). */
  endedAt: number;
  /** null when the log cannot tell (no start mark, or the plain format without `latency_ms`). */
  latencyMs: number | null;
  ttftMs: number | null;
  bytesSent: number | null;
  usage: NormalisedUsage;
  responseId: string | null;
  toolCalls: number;
  /** Input items of the request; null when the log does not hold them. */
  itemCount: number | null;
  prompt: PromptEvidence | null;
  /** The history was compacted since the previous request of the session. */
  afterCompaction: boolean;
  source: SourceRef;
}

export type CompactionMethod = 'endpoint' | 'trigger' | 'summary';

export interface IngestedCompaction {
  sessionId: string;
  taskIndex: number;
  at: number;
  method: CompactionMethod;
  tokensBefore: number | null;
  tokensAfter: number | null;
  itemsBefore: number | null;
  itemsAfter: number | null;
  /** The usage of the request that produced the compaction, when the log shows it (that request is a turn of its own). */
  usage: NormalisedUsage | null;
  model: string | null;
  source: SourceRef;
}

export interface SessionStart {
  id: string;
  file: string;
  /** The agent that wrote the log: the variant of its samples. */
  agent: string;
  agentVersion: string | null;
  provider: string | null;
  cwd: string | null;
  /** ms since epoch of the first timestamp seen; null when the log has none. */
  startedAt: number | null;
  tags: string[];
}

export type StopReason = 'final' | 'aborted' | 'log_ended';

/** What a reader yields, in log order. */
export type IngestEvent =
  | { type: 'session'; session: SessionStart }
  | { type: 'request'; request: IngestedRequest }
  | { type: 'compaction'; compaction: IngestedCompaction }
  | {
      type: 'task_end';
      sessionId: string;
      taskIndex: number;
      at: number;
      stopReason: StopReason;
      finalAnswer: string | null;
    }
  | {
      type: 'error';
      sessionId: string;
      /** The task in progress when it happened (as `IngestedRequest.taskIndex`). */
      taskIndex: number;
      at: number;
      kind: string;
      message: string;
      source: SourceRef;
    }
  | { type: 'session_end'; sessionId: string; at: number | null }
  /**
   * `unreadableLine`: the line was not JSON (a log cut short by a kill); the rest is still read.
   * `noRequest`: the whole log held no completed request (the message says why, as far as it can).
   */
  | { type: 'warning'; message: string; unreadableLine?: true; noRequest?: true };
