import { dirname, join } from 'node:path';
import {
  type EventRecord,
  EventRecordSchema,
  type SampleRecord,
  type TurnRecord,
  TurnRecordSchema,
} from '../telemetry/index.js';
import type { InProgress } from './in-progress.js';
import { readJsonl } from './jsonl.js';
import type { Repricing } from './reprice.js';
import { RUN_FILES, readManifest } from './run-dir.js';
import { effectiveStatus } from './run-status.js';
import { bootstrapMean, type Interval, meanPassAtK, wilson } from './stats.js';
import {
  type RunSummary,
  readSamples,
  runVariantOrder,
  summarizeSamples,
  type VariantSummary,
  wasRun,
} from './summary.js';
import { type Throughput, ThroughputCollector } from './throughput.js';

/** Everything a report renders, built from the run's files in one streaming pass each. */
export interface ReportData {
  run: { run_id: string; suite_name: string; status: string; started_at: string; ended_at: string | null };
  summary: RunSummary;
  variants: VariantStats[];
  by_turn: Record<string, TurnPoint[]>;
  tasks: TaskStats[];
  samples: SampleRow[];
  worst_breaks: BreakRow[];
  drilldown: Record<string, DrillTurn[]>;
  /** True when not every sample's turns are in `drilldown` (large runs keep a selection). */
  drilldown_partial: boolean;
  /** Model requests per second, 429s and the adaptive concurrency limit over the run's time. */
  throughput: Throughput;
  skipped_lines: { samples: number; turns: number; events: number };
  /** Set when another process still wrote the run as the report read it: the figures are partial. */
  in_progress?: InProgress;
}

export interface VariantStats extends VariantSummary {
  pass_ci: Interval;
  /** pass@k for k = 1..epochs (tasks with at least k epochs). */
  pass_at_k: { k: number; value: number | null; tasks: number }[];
  cost_per_sample: { mean: number; lo: number; hi: number };
  turns_per_sample: { mean: number; lo: number; hi: number };
  break_reasons: Record<string, number>;
}

export interface TurnPoint {
  turn: number;
  /** Samples that reached this turn. */
  samples: number;
  mean_input: number;
  mean_cached: number;
  /** cached / input over samples that reported cached tokens at this turn (null if none did). */
  hit_rate: number | null;
  /** Over the samples whose request size is known at this turn; null if none (ingested sessions). */
  mean_bytes: number | null;
  /** Running sums of the per-turn means: what one average sample has sent up to this turn. */
  cum_input: number;
  cum_uncached: number;
  /** null where `mean_bytes` is. */
  cum_bytes: number | null;
}

export interface TaskStats {
  task_id: string;
  variant: string;
  epochs: number;
  passed: number;
  input_tokens: number;
  cached_tokens: number;
  cache_hit_rate: number;
  cost_usd: number;
}

export interface SampleRow {
  sample_id: string;
  task_id: string;
  variant: string;
  epoch: number;
  status: string;
  passed: boolean | null;
  turns: number;
  input_tokens: number;
  cached_tokens: number | null;
  cache_hit_rate: number | null;
  cache_write_tokens: number | null;
  output_tokens: number;
  bytes_sent: number | null;
  compactions: number;
  cache_breaks: number;
  cost_usd: number | null;
  wall_ms: number;
  error: string | null;
}

export interface BreakRow {
  sample_id: string;
  task_id: string;
  variant: string;
  turn: number;
  reason: string;
  diverged_at: string | number | null;
  lost_tokens: number;
  detail: string | null;
}

export interface DrillTurn {
  turn: number;
  kind: string;
  input_tokens: number;
  cached_tokens: number | null;
  cache_write_tokens: number | null;
  output_tokens: number;
  hit_rate: number | null;
  bytes_sent: number | null;
  latency_ms: number | null;
  cache_class: string;
  reason: string | null;
  detail: string | null;
  lost_tokens: number | null;
  after_compaction: boolean;
  compaction: { method: string; tokens_before: number | null; tokens_after: number | null } | null;
}

export interface AggregateOptions {
  /** At most this many turns are kept for the per-sample drill-down (default 20,000). */
  maxDrilldownTurns?: number;
  /** Worst cache breaks kept (default 10). */
  worstBreaks?: number;
  seed?: number;
  /** Costs recomputed with another price table (`report --pricing`). */
  repricing?: Repricing;
}

export function sampleRow(s: SampleRecord): SampleRow {
  return {
    sample_id: s.sample_id,
    task_id: s.task_id,
    variant: s.variant,
    epoch: s.epoch,
    status: s.status,
    passed: s.passed,
    turns: s.turns,
    input_tokens: s.input_tokens,
    cached_tokens: s.cached_tokens,
    cache_hit_rate:
      s.cached_tokens === null || s.input_tokens === 0 ? null : s.cached_tokens / s.input_tokens,
    cache_write_tokens: s.cache_write_tokens,
    output_tokens: s.output_tokens,
    bytes_sent: s.bytes_sent,
    compactions: s.compactions,
    cache_breaks: s.cache_breaks,
    cost_usd: s.cost_usd,
    wall_ms: s.wall_ms,
    error: s.error ? `${s.error.kind}: ${s.error.message}` : null,
  };
}

/** Which samples get a drill-down: all when they fit, else failures and broken ones first. */
function pickDrilldown(samples: SampleRecord[], budget: number): Set<string> {
  const total = samples.reduce((a, s) => a + s.turns, 0);
  if (total <= budget) return new Set(samples.map((s) => s.sample_id));
  const ranked = [...samples].sort(
    (a, b) =>
      b.cache_breaks - a.cache_breaks ||
      Number(a.passed === true) - Number(b.passed === true) ||
      a.turns - b.turns,
  );
  const picked = new Set<string>();
  let used = 0;
  for (const s of ranked) {
    if (used + s.turns > budget) continue;
    picked.add(s.sample_id);
    used += s.turns;
  }
  return picked;
}

interface TurnAcc {
  samples: number;
  input: number;
  cached: number;
  knownInput: number;
  knownCached: number;
  bytes: number;
  knownBytes: number;
}

function turnPoints(acc: TurnAcc[]): TurnPoint[] {
  const points: TurnPoint[] = [];
  let cumInput = 0;
  let cumUncached = 0;
  let cumBytes = 0;
  acc.forEach((a, i) => {
    if (!a || a.samples === 0) return;
    const meanInput = a.input / a.samples;
    const meanCached = a.cached / a.samples;
    const meanBytes = a.knownBytes > 0 ? a.bytes / a.knownBytes : null;
    cumInput += meanInput;
    cumUncached += meanInput - meanCached;
    if (meanBytes !== null) cumBytes += meanBytes;
    points.push({
      turn: i,
      samples: a.samples,
      mean_input: meanInput,
      mean_cached: meanCached,
      hit_rate: a.knownInput > 0 ? a.knownCached / a.knownInput : null,
      mean_bytes: meanBytes,
      cum_input: cumInput,
      cum_uncached: cumUncached,
      cum_bytes: meanBytes === null ? null : cumBytes,
    });
  });
  return points;
}

/** Keeps the `limit` largest breaks seen (a small sorted array: cheap for small limits). */
function keepWorst(list: BreakRow[], row: BreakRow, limit: number): void {
  if (list.length >= limit && (list[list.length - 1]?.lost_tokens ?? 0) >= row.lost_tokens) return;
  list.push(row);
  list.sort((a, b) => b.lost_tokens - a.lost_tokens);
  if (list.length > limit) list.pop();
}

function isLayoutBreak(t: TurnRecord): boolean {
  return (
    t.kind === 'agent' && t.prefix.reason !== null && t.prefix.reason !== 'compacted' && !t.after_compaction
  );
}

export async function aggregateRun(runDir: string, options: AggregateOptions = {}): Promise<ReportData> {
  const { maxDrilldownTurns = 20_000, worstBreaks = 10, seed = 1 } = options;
  const manifest = readManifest(runDir);
  const { samples: sampleMap, skipped: skippedSamples } = await readSamples(runDir, options.repricing);
  const samples = [...sampleMap.values()];
  const order = runVariantOrder(manifest);
  const summaries = summarizeSamples(samples, order);
  const drillIds = pickDrilldown(samples, maxDrilldownTurns);

  const byTurn = new Map<string, TurnAcc[]>();
  const breakReasons = new Map<string, Record<string, number>>();
  const worst: BreakRow[] = [];
  const drilldown: Record<string, DrillTurn[]> = {};
  const throughput = new ThroughputCollector();
  // Only turns of finished samples count; a sample in flight at a crash has no sample record.
  const turnsRead = await readJsonl(join(runDir, RUN_FILES.turns), TurnRecordSchema, (t) => {
    throughput.turn(t); // every request the provider saw, finished sample or not
    if (!sampleMap.has(t.sample_id)) return;
    if (t.kind === 'agent') {
      let acc = byTurn.get(t.variant);
      if (!acc) {
        acc = [];
        byTurn.set(t.variant, acc);
      }
      let a = acc[t.turn];
      if (!a) {
        a = { samples: 0, input: 0, cached: 0, knownInput: 0, knownCached: 0, bytes: 0, knownBytes: 0 };
        acc[t.turn] = a;
      }
      a.samples++;
      a.input += t.input_tokens;
      a.cached += t.cached_tokens ?? 0;
      if (t.bytes_sent !== null) {
        a.bytes += t.bytes_sent;
        a.knownBytes++;
      }
      if (t.cached_tokens !== null) {
        a.knownInput += t.input_tokens;
        a.knownCached += t.cached_tokens;
      }
    }
    if (isLayoutBreak(t) && t.prefix.reason) {
      const reasons = breakReasons.get(t.variant) ?? {};
      reasons[t.prefix.reason] = (reasons[t.prefix.reason] ?? 0) + 1;
      breakReasons.set(t.variant, reasons);
      keepWorst(
        worst,
        {
          sample_id: t.sample_id,
          task_id: t.task_id,
          variant: t.variant,
          turn: t.turn,
          reason: t.prefix.reason,
          diverged_at: t.prefix.diverged_at,
          lost_tokens: t.prefix.lost_tokens ?? 0,
          detail: t.prefix.detail,
        },
        worstBreaks,
      );
    }
    if (drillIds.has(t.sample_id)) {
      const list = drilldown[t.sample_id] ?? [];
      drilldown[t.sample_id] = list;
      list.push({
        turn: t.turn,
        kind: t.kind,
        input_tokens: t.input_tokens,
        cached_tokens: t.cached_tokens,
        cache_write_tokens: t.cache_write_tokens,
        output_tokens: t.output_tokens,
        hit_rate: t.cache_hit_rate,
        bytes_sent: t.bytes_sent,
        latency_ms: t.latency_ms,
        cache_class: t.cache_class,
        reason: t.prefix.reason,
        detail: t.prefix.detail,
        lost_tokens: t.prefix.lost_tokens,
        after_compaction: t.after_compaction,
        compaction: null,
      });
    }
  });

  const eventsRead = await readJsonl(join(runDir, RUN_FILES.events), EventRecordSchema, (e: EventRecord) => {
    if (e.type === 'retry' && e.status === 429) throughput.rateLimited(e.at);
    if (e.type === 'concurrency') throughput.concurrency(e);
    if (e.type !== 'compaction' || !drillIds.has(e.sample_id)) return;
    const turn = drilldown[e.sample_id]?.find((d) => d.turn === e.turn && d.kind === 'agent');
    if (turn)
      turn.compaction = { method: e.method, tokens_before: e.tokens_before, tokens_after: e.tokens_after };
  });
  for (const list of Object.values(drilldown)) list.sort((a, b) => a.turn - b.turn);

  const variants: VariantStats[] = summaries.map((v) => {
    const mine = samples.filter((s) => s.variant === v.variant && wasRun(s));
    const perTask = new Map<string, { n: number; c: number }>();
    for (const s of mine) {
      if (s.passed === null) continue; // no score (an error): not an attempt at the task
      const t = perTask.get(s.task_id) ?? { n: 0, c: 0 };
      t.n++;
      if (s.passed === true) t.c++;
      perTask.set(s.task_id, t);
    }
    const maxEpochs = Math.max(0, ...[...perTask.values()].map((t) => t.n));
    const cost = bootstrapMean(
      mine.map((s) => s.cost_usd ?? 0),
      { seed },
    );
    const turns = bootstrapMean(
      mine.map((s) => s.turns),
      { seed },
    );
    return {
      ...v,
      pass_ci: wilson(v.passed, v.scored),
      pass_at_k: Array.from({ length: maxEpochs }, (_, i) => ({
        k: i + 1,
        ...meanPassAtK(perTask.values(), i + 1),
      })),
      cost_per_sample: cost,
      turns_per_sample: turns,
      break_reasons: breakReasons.get(v.variant) ?? {},
    };
  });

  const taskMap = new Map<string, TaskStats>();
  for (const s of samples.filter(wasRun)) {
    const key = `${s.variant}\u0000${s.task_id}`;
    const t = taskMap.get(key) ?? {
      task_id: s.task_id,
      variant: s.variant,
      epochs: 0,
      passed: 0,
      input_tokens: 0,
      cached_tokens: 0,
      cache_hit_rate: 0,
      cost_usd: 0,
    };
    t.epochs++;
    if (s.passed === true) t.passed++;
    t.input_tokens += s.input_tokens;
    t.cached_tokens += s.cached_tokens ?? 0;
    t.cost_usd += s.cost_usd ?? 0;
    t.cache_hit_rate = t.input_tokens > 0 ? t.cached_tokens / t.input_tokens : 0;
    taskMap.set(key, t);
  }

  const variantNames = summaries.map((v) => v.variant);
  return {
    run: {
      run_id: manifest.run_id,
      suite_name: manifest.suite_name,
      status: effectiveStatus(manifest),
      started_at: manifest.started_at,
      ended_at: manifest.ended_at,
    },
    summary: {
      run_id: manifest.run_id,
      results_dir: dirname(runDir),
      run_dir: runDir,
      status: effectiveStatus(manifest),
      variants: summaries,
    },
    variants,
    by_turn: Object.fromEntries(variantNames.map((name) => [name, turnPoints(byTurn.get(name) ?? [])])),
    tasks: [...taskMap.values()].sort(
      (a, b) => a.task_id.localeCompare(b.task_id) || a.variant.localeCompare(b.variant),
    ),
    samples: samples.map(sampleRow),
    worst_breaks: worst,
    drilldown,
    drilldown_partial: drillIds.size < samples.length,
    throughput: throughput.result(),
    skipped_lines: { samples: skippedSamples, turns: turnsRead.skipped, events: eventsRead.skipped },
  };
}
