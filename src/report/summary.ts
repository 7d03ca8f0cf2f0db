import { dirname, join } from 'node:path';
import * as z from 'zod';
import { parseOptions } from '../config/parse-once.js';
import { type RunManifest, type SampleRecord, SampleRecordSchema } from '../telemetry/index.js';
import { readJsonl } from './jsonl.js';
import type { Repricing } from './reprice.js';
import { RUN_FILES, readManifest } from './run-dir.js';
import { effectiveStatus } from './run-status.js';

export interface VariantSummary {
  variant: string;
  samples: number;
  /** Samples with a score: not errors or cancelled ones (those have none, and a resume reruns them). */
  scored: number;
  passed: number;
  /**
   * passed / scored: a sample that ended in error is no failure of the task, just not measured.
   * null when no sample was scored (ingested sessions have no score): shown as n/a, never 0%.
   */
  pass_rate: number | null;
  errors: number;
  turns: number;
  input_tokens: number;
  cached_tokens: number;
  /** null when no sample of the variant knows it (a provider or log that does not report it), never 0. */
  cache_write_tokens: number | null;
  output_tokens: number;
  /** null when no sample of the variant knows it, never 0. */
  reasoning_tokens: number | null;
  /** cached_tokens / input_tokens over the variant (0 when no input). */
  cache_hit_rate: number;
  compactions: number;
  cost_usd: number;
  /** Sum of the samples' wall times. */
  wall_ms: number;
  /** Sum over the samples that know it; null when none does (ingested sessions), never 0. */
  bytes_sent: number | null;
  cache_breaks: number;
  /** Samples whose provider did not report cached tokens (counted as 0 cached). */
  cached_unknown: number;
  /** Samples with no known cost (counted as 0 USD). */
  cost_unknown: number;
  /** Samples never run because the run reached its cost budget (not in any figure above). */
  skipped: number;
  /** Samples graded by a model scorer, and what the graders cost (never part of `cost_usd`). */
  graded: number;
  grader_cost_usd: number;
}

export interface RunSummary {
  run_id: string;
  /** The results directory holding the run folder (the `--results-dir` of the run). */
  results_dir: string;
  /** The run folder itself. */
  run_dir: string;
  status: string;
  variants: VariantSummary[];
}

function emptyVariant(variant: string): VariantSummary {
  return {
    variant,
    samples: 0,
    scored: 0,
    passed: 0,
    pass_rate: null,
    errors: 0,
    turns: 0,
    input_tokens: 0,
    cached_tokens: 0,
    cache_write_tokens: null,
    output_tokens: 0,
    reasoning_tokens: null,
    cache_hit_rate: 0,
    compactions: 0,
    cost_usd: 0,
    wall_ms: 0,
    bytes_sent: null,
    cache_breaks: 0,
    cached_unknown: 0,
    cost_unknown: 0,
    skipped: 0,
    graded: 0,
    grader_cost_usd: 0,
  };
}

/** Adds a figure that may be unknown: a sum of the known ones, null until one is known. */
const addIfKnown = (sum: number | null, value: number | null): number | null =>
  value === null ? sum : (sum ?? 0) + value;

/** Whether a sample ran (a sample skipped for the run's budget did not, and counts nowhere). */
export const wasRun = (s: SampleRecord): boolean => s.status !== 'skipped';

function addSample(v: VariantSummary, s: SampleRecord): void {
  if (!wasRun(s)) {
    v.skipped++;
    return;
  }
  v.samples++;
  if (s.passed !== null) v.scored++;
  if (s.passed === true) v.passed++;
  if (s.status === 'error') v.errors++;
  v.turns += s.turns;
  v.input_tokens += s.input_tokens;
  v.cached_tokens += s.cached_tokens ?? 0;
  v.cache_write_tokens = addIfKnown(v.cache_write_tokens, s.cache_write_tokens);
  v.output_tokens += s.output_tokens;
  v.reasoning_tokens = addIfKnown(v.reasoning_tokens, s.reasoning_tokens);
  v.compactions += s.compactions;
  v.cost_usd += s.cost_usd ?? 0;
  v.wall_ms += s.wall_ms;
  v.bytes_sent = addIfKnown(v.bytes_sent, s.bytes_sent);
  v.cache_breaks += s.cache_breaks;
  if (s.cached_tokens === null) v.cached_unknown++;
  if (s.cost_usd === null) v.cost_unknown++;
  if (s.grades && s.grades.length > 0) {
    v.graded++;
    for (const g of s.grades) v.grader_cost_usd += g.cost_usd ?? 0;
  }
}

function finish(v: VariantSummary): VariantSummary {
  v.pass_rate = v.scored > 0 ? v.passed / v.scored : null;
  v.cache_hit_rate = v.input_tokens > 0 ? v.cached_tokens / v.input_tokens : 0;
  return v;
}

const SuiteVariantsSchema = z.object({
  variants: z.array(z.object({ name: z.string() })),
  baseline_variant: z.string().optional(),
});

/**
 * Variant order as declared in the suite stored in run.json, when it can be read from there; the
 * suite's `baseline_variant` first, as the reference the others are compared against.
 */
export function declaredVariantOrder(suite: unknown): string[] {
  const parsed = SuiteVariantsSchema.safeParse(suite, parseOptions(SuiteVariantsSchema));
  if (!parsed.success) return [];
  const names = parsed.data.variants.map((v) => v.name);
  const baseline = parsed.data.baseline_variant;
  return baseline && names.includes(baseline) ? [baseline, ...names.filter((n) => n !== baseline)] : names;
}

/** The variants a run covers, reference first: all declared ones, or the `--variant` selection. */
export function runVariantOrder(manifest: Pick<RunManifest, 'suite' | 'selection'>): string[] {
  const declared = declaredVariantOrder(manifest.suite);
  const selected = manifest.selection?.variants;
  return selected ? declared.filter((name) => selected.includes(name)) : declared;
}

/**
 * Reads samples.jsonl once, streaming. When a sample id appears more than once (a resumed run
 * that re-ran it), the last record wins. Memory grows with the number of samples, not turns.
 */
export async function readSamples(
  runDir: string,
  repricing?: Pick<Repricing, 'sample'>,
): Promise<{ samples: Map<string, SampleRecord>; skipped: number }> {
  const samples = new Map<string, SampleRecord>();
  const { skipped } = await readJsonl(join(runDir, RUN_FILES.samples), SampleRecordSchema, (s) => {
    samples.delete(s.sample_id);
    samples.set(s.sample_id, repricing ? repricing.sample(s) : s);
  });
  return { samples, skipped };
}

export function summarizeSamples(
  samples: Iterable<SampleRecord>,
  variantOrder: readonly string[] = [],
): VariantSummary[] {
  const byVariant = new Map<string, VariantSummary>();
  for (const name of variantOrder) byVariant.set(name, emptyVariant(name));
  for (const s of samples) {
    let v = byVariant.get(s.variant);
    if (!v) {
      v = emptyVariant(s.variant);
      byVariant.set(s.variant, v);
    }
    addSample(v, s);
  }
  return [...byVariant.values()].map(finish);
}

export async function summarizeRun(runDir: string): Promise<RunSummary> {
  const manifest = readManifest(runDir);
  const { samples } = await readSamples(runDir);
  return {
    run_id: manifest.run_id,
    results_dir: dirname(runDir),
    run_dir: runDir,
    status: effectiveStatus(manifest),
    variants: summarizeSamples(samples.values(), runVariantOrder(manifest)),
  };
}
