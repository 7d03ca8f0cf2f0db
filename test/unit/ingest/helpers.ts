import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadPricing } from '../../../src/config/index.js';
import {
  type GroupBy,
  type IngestEvent,
  type IngestResult,
  ingestLogs,
  RunBuilder,
  readCodexRollout,
  readPlainLog,
} from '../../../src/ingest/index.js';
import type { IngestedRequest } from '../../../src/ingest/types.js';
import type { EventRecord, SampleRecord, TurnRecord } from '../../../src/telemetry/index.js';

export const FIXTURES = resolve(import.meta.dirname, '../../fixtures/codex');
export const fixture = (...parts: string[]) => join(FIXTURES, ...parts);

export interface Built {
  turns: TurnRecord[];
  events: EventRecord[];
  samples: SampleRecord[];
  warnings: string[];
}

/** Reads files through the readers and the run builder into memory, as `ingest` would into a folder. */
export async function build(
  files: { file: string; format?: 'codex' | 'plain' }[],
  opts: { groupBy?: GroupBy; range?: { from: number | null; to: number | null } } = {},
): Promise<Built> {
  const out: Built = { turns: [], events: [], samples: [], warnings: [] };
  const builder = new RunBuilder({
    runId: 'test',
    groupBy: opts.groupBy ?? 'session',
    range: opts.range ?? { from: null, to: null },
    pricing: await loadPricing(),
    sink: {
      turn: (r) => out.turns.push(r),
      event: (r) => out.events.push(r),
      sample: (r) => out.samples.push(r),
    },
    warn: (m) => out.warnings.push(m),
  });
  // shared by the files, as `ingest` shares it: a fork's copy of its parent's requests is known
  const seenUsage = new Map<string, Set<string>>();
  for (const { file, format } of files) {
    const events = format === 'plain' ? readPlainLog(file) : readCodexRollout(file, { seenUsage });
    for await (const event of events) builder.accept(event);
  }
  builder.finish();
  return out;
}

export async function collect(events: AsyncIterable<IngestEvent>): Promise<IngestEvent[]> {
  const out: IngestEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

/** The requests a Codex log's reader rebuilds, in log order. */
export async function requestsOf(file: string): Promise<IngestedRequest[]> {
  return (await collect(readCodexRollout(file))).flatMap((e) => (e.type === 'request' ? [e.request] : []));
}

export interface Totals {
  input: number;
  cached: number | null;
  cacheWrite: number | null;
  output: number;
  reasoning: number | null;
}

/**
 * The last running total a Codex log reports, read independently: the last `token_usage_record`'s
 * `thread_token_usage` when the log has records (token_count's total leaves the compaction_trigger
 * request out), else the last `token_count` `total_token_usage`.
 */
export function lastTotalTokenUsage(file: string): Totals {
  let last: Record<string, number> | null = null;
  let lastRecord: Record<string, number> | null = null;
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    let line: { type?: string; payload?: Record<string, unknown> };
    try {
      line = JSON.parse(text);
    } catch {
      continue;
    }
    const p = line.payload as
      | {
          type?: string;
          info?: { total_token_usage?: Record<string, number> } | null;
          thread_token_usage?: Record<string, number>;
        }
      | undefined;
    if (line.type === 'event_msg' && p?.type === 'token_count' && p.info?.total_token_usage)
      last = p.info.total_token_usage;
    if (line.type === 'token_usage_record' && p?.thread_token_usage) lastRecord = p.thread_token_usage;
  }
  last = lastRecord ?? last;
  if (!last) throw new Error(`${file}: no total_token_usage`);
  return {
    input: last.input_tokens ?? 0,
    cached: last.cached_input_tokens ?? null,
    cacheWrite: last.cache_write_input_tokens ?? null,
    output: last.output_tokens ?? 0,
    reasoning: last.reasoning_output_tokens ?? null,
  };
}

/** The sums of a session's turn records, every kind included. */
export function sumTurns(turns: readonly TurnRecord[]): Totals {
  const known = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);
  return turns.reduce<Totals>(
    (t, r) => ({
      input: t.input + r.input_tokens,
      cached: known(t.cached, r.cached_tokens),
      cacheWrite: known(t.cacheWrite, r.cache_write_tokens),
      output: t.output + r.output_tokens,
      reasoning: known(t.reasoning, r.reasoning_tokens),
    }),
    { input: 0, cached: 0, cacheWrite: 0, output: 0, reasoning: 0 },
  );
}

/**
 * Agent turns whose cached tokens dropped: below the previous agent turn's cached tokens, or below
 * what the prefix check expected. Each must carry a cause.
 */
export function drops(turns: readonly TurnRecord[]): TurnRecord[] {
  const agent = turns.filter((t) => t.kind === 'agent');
  return agent.filter((t, i) => {
    const prev = agent[i - 1];
    if (!prev || t.cached_tokens === null) return false;
    return (
      (prev.cached_tokens !== null && t.cached_tokens < prev.cached_tokens) ||
      t.cache_class === 'provider_miss'
    );
  });
}

/** `ingest` of whole logs (no time range, one sample per session) into `resultsDir/runId`, its warnings kept. */
export async function ingestAll(
  inputs: string[],
  resultsDir: string,
  runId: string,
): Promise<{ result: IngestResult; warnings: string[] }> {
  const warnings: string[] = [];
  const result = await ingestLogs({
    inputs,
    runId,
    resultsDir,
    groupBy: 'session',
    range: { from: null, to: null },
    since: null,
    until: null,
    pricing: await loadPricing(),
    onWarning: (m) => warnings.push(m),
  });
  return { result, warnings };
}
