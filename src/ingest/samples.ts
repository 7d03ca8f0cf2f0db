import { addUsage, emptyTotals, type SampleTotals } from '../agent/index.js';
import type { NormalisedUsage } from '../model/index.js';
import { type SampleRecord, SCHEMA_VERSION } from '../telemetry/index.js';
import type { GroupBy } from './group-by.js';
import type { SessionStart, StopReason } from './types.js';

export interface SampleKey {
  sampleId: string;
  taskId: string;
  variant: string;
}

/** Which sample a request (or an event) of a session belongs to. */
export function sampleKey(
  groupBy: GroupBy,
  session: SessionStart,
  fact: { taskIndex: number; at: number; model: string | null },
): SampleKey {
  const variant = session.agent;
  switch (groupBy) {
    case 'session':
      return { sampleId: session.id, taskId: session.id, variant };
    case 'task': {
      const id = `${session.id}/task-${fact.taskIndex}`;
      return { sampleId: id, taskId: id, variant };
    }
    case 'day': {
      const day = new Date(fact.at).toISOString().slice(0, 10);
      return { sampleId: `${variant}/${day}`, taskId: day, variant };
    }
    case 'model': {
      const model = fact.model ?? 'unknown';
      return { sampleId: `${variant}/${model}`, taskId: model, variant };
    }
  }
}

interface SampleAcc {
  key: SampleKey;
  tags: Set<string>;
  totals: SampleTotals;
  startedAt: number;
  endedAt: number;
  stopReason: StopReason;
  finalAnswer: string | null;
  /** Sessions that put requests in it; a session/task sample closes with its session. */
  sessions: Set<string>;
}

/**
 * The samples being filled, one accumulator each (a few numbers, never turns). Session and task
 * samples close with their session; day and model samples only at the end.
 */
export class SampleBook {
  private readonly open = new Map<string, SampleAcc>();
  private readonly closed = new Set<string>();

  constructor(
    private readonly runId: string,
    readonly groupBy: GroupBy,
  ) {}

  private acc(key: SampleKey, at: number): SampleAcc {
    let acc = this.open.get(key.sampleId);
    if (!acc) {
      if (this.closed.has(key.sampleId)) throw new Error(`sample ${key.sampleId} was already written`);
      acc = {
        key,
        tags: new Set(),
        totals: emptyTotals(),
        startedAt: at,
        endedAt: at,
        stopReason: 'log_ended',
        finalAnswer: null,
        sessions: new Set(),
      };
      this.open.set(key.sampleId, acc);
    }
    return acc;
  }

  has(sampleId: string): boolean {
    return this.open.has(sampleId);
  }

  /** Current turn count of a sample (0 when it has none yet). */
  turnsOf(sampleId: string): number {
    return this.open.get(sampleId)?.totals.turns ?? 0;
  }

  /** Adds a request; returns its 1-based turn index in the sample. */
  addTurn(
    key: SampleKey,
    session: SessionStart,
    turn: {
      startedAt: number;
      endedAt: number;
      usage: NormalisedUsage;
      bytesSent: number | null;
      toolCalls: number;
      costUsd: number | null;
      model: string;
      effort: string | null;
    },
  ): number {
    const acc = this.acc(key, turn.startedAt);
    for (const tag of session.tags) acc.tags.add(tag);
    acc.tags.add(`model:${turn.model}`);
    if (turn.effort) acc.tags.add(`effort:${turn.effort}`);
    acc.sessions.add(session.id);
    addUsage(acc.totals, turn, turn.costUsd);
    acc.totals.toolCalls += turn.toolCalls;
    acc.startedAt = Math.min(acc.startedAt, turn.startedAt);
    acc.endedAt = Math.max(acc.endedAt, turn.endedAt);
    return acc.totals.turns;
  }

  addCompaction(key: SampleKey, at: number): void {
    this.acc(key, at).totals.compactions++;
  }

  addCacheBreak(sampleId: string): void {
    const acc = this.open.get(sampleId);
    if (acc) acc.totals.cacheBreaks++;
  }

  endTask(sampleId: string, at: number, stopReason: StopReason, finalAnswer: string | null): void {
    const acc = this.open.get(sampleId);
    if (!acc) return;
    acc.stopReason = stopReason;
    if (finalAnswer !== null) acc.finalAnswer = finalAnswer;
    acc.endedAt = Math.max(acc.endedAt, at);
  }

  /** Closes the samples a finished session fills alone (session and task grouping). */
  closeSession(sessionId: string): SampleRecord[] {
    if (this.groupBy !== 'session' && this.groupBy !== 'task') return [];
    const done: SampleRecord[] = [];
    for (const [id, acc] of this.open) {
      if (!acc.sessions.has(sessionId)) continue;
      this.open.delete(id);
      this.closed.add(id);
      done.push(this.record(acc));
    }
    return done;
  }

  closeAll(): SampleRecord[] {
    const done = [...this.open.values()].map((acc) => this.record(acc));
    for (const id of this.open.keys()) this.closed.add(id);
    this.open.clear();
    return done;
  }

  private record(acc: SampleAcc): SampleRecord {
    const t = acc.totals;
    return {
      schema: SCHEMA_VERSION,
      run_id: this.runId,
      sample_id: acc.key.sampleId,
      task_id: acc.key.taskId,
      variant: acc.key.variant,
      epoch: 1,
      tags: [...acc.tags].sort(),
      status: 'completed',
      stop_reason: acc.stopReason,
      passed: null,
      score: null,
      score_detail: null,
      final_answer: acc.finalAnswer,
      turns: t.turns,
      input_tokens: t.inputTokens,
      cached_tokens: t.cachedTokens,
      cache_write_tokens: t.cacheWriteTokens,
      output_tokens: t.outputTokens,
      reasoning_tokens: t.reasoningTokens,
      bytes_sent: t.bytesSent,
      tool_calls: t.toolCalls,
      // Codex logs tell command exit codes, not whether a call failed as a tool call.
      tool_errors: null,
      compactions: t.compactions,
      cache_breaks: t.cacheBreaks,
      cost_usd: t.costUsd,
      started_at: new Date(acc.startedAt).toISOString(),
      ended_at: new Date(acc.endedAt).toISOString(),
      wall_ms: Math.max(0, acc.endedAt - acc.startedAt),
      error: null,
    };
  }
}
