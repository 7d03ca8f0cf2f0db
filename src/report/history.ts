import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatDuration, formatPercent, formatUsd } from './format.js';
import { RUN_FILES, RunNotFoundError, readManifest } from './run-dir.js';
import { effectiveStatus } from './run-status.js';
import { summarizeRun, type VariantSummary } from './summary.js';

export interface RunTotals {
  samples: number;
  /** Samples with a score (errors and ingested sessions have none). */
  scored: number;
  passed: number;
  /** passed / scored; null when nothing was scored. */
  pass_rate: number | null;
  input_tokens: number;
  cached_tokens: number;
  cache_hit_rate: number;
  cost_usd: number;
  wall_ms: number;
}

export interface HistoryEntry {
  run_id: string;
  suite_name: string;
  status: string;
  started_at: string;
  totals: RunTotals;
  variants: VariantSummary[];
}

export function totalsOf(variants: readonly VariantSummary[]): RunTotals {
  const t = { samples: 0, scored: 0, passed: 0, input_tokens: 0, cached_tokens: 0, cost_usd: 0, wall_ms: 0 };
  for (const v of variants) {
    t.samples += v.samples;
    t.scored += v.scored;
    t.passed += v.passed;
    t.input_tokens += v.input_tokens;
    t.cached_tokens += v.cached_tokens;
    t.cost_usd += v.cost_usd;
    t.wall_ms += v.wall_ms;
  }
  return {
    ...t,
    pass_rate: t.scored > 0 ? t.passed / t.scored : null,
    cache_hit_rate: t.input_tokens > 0 ? t.cached_tokens / t.input_tokens : 0,
  };
}

/** Every run folder under `resultsDir`, oldest first. Unreadable folders are reported in `skipped`. */
export async function listRuns(resultsDir = 'results'): Promise<{ runs: HistoryEntry[]; skipped: string[] }> {
  const root = resolve(resultsDir);
  if (!existsSync(root)) throw new RunNotFoundError(`results directory not found: ${root}`);
  const runs: HistoryEntry[] = [];
  const skipped: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(root, entry.name);
    if (!existsSync(join(dir, RUN_FILES.manifest))) continue;
    try {
      const manifest = readManifest(dir);
      const summary = await summarizeRun(dir);
      runs.push({
        run_id: manifest.run_id,
        suite_name: manifest.suite_name,
        status: effectiveStatus(manifest),
        started_at: manifest.started_at,
        totals: totalsOf(summary.variants),
        variants: summary.variants,
      });
    } catch (err) {
      skipped.push(`${dir}: ${(err as Error).message}`);
    }
  }
  runs.sort((a, b) => a.started_at.localeCompare(b.started_at) || a.run_id.localeCompare(b.run_id));
  return { runs, skipped };
}

const BARS = '▁▂▃▄▅▆▇█';

/** A one-line trend of values (min..max mapped onto block characters). */
export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return '';
  const min = Math.min(...values);
  const max = Math.max(...values);
  return values
    .map((v) => (max === min ? BARS[3] : BARS[Math.round(((v - min) / (max - min)) * (BARS.length - 1))]))
    .join('');
}

export function formatHistory(runs: readonly HistoryEntry[]): string {
  if (runs.length === 0) return 'no runs found\n';
  const head = ['run', 'started', 'status', 'samples', 'pass', 'hit rate', 'cost', 'wall'];
  const rows = runs.map((r) => [
    r.run_id,
    r.started_at.replace('T', ' ').slice(0, 16),
    r.status,
    String(r.totals.samples),
    formatPercent(r.totals.pass_rate),
    formatPercent(r.totals.cache_hit_rate),
    formatUsd(r.totals.cost_usd),
    formatDuration(r.totals.wall_ms),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) =>
    r.map((c, i) => (i < 3 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const lines = [fmt(head), ...rows.map(fmt)];
  if (runs.length > 1) {
    // Runs that cannot measure a metric (pass rate of ingested sessions) are left out of its trend.
    const metric = (name: string, get: (r: HistoryEntry) => number | null, show: (v: number) => string) => {
      const values = runs.map(get).filter((v): v is number => v !== null);
      if (values.length === 0) return `${name.padEnd(10)} n/a`;
      return `${name.padEnd(10)} ${sparkline(values)}  ${show(values[0] ?? 0)} -> ${show(values[values.length - 1] ?? 0)}`;
    };
    lines.push('', 'trend (oldest -> newest)');
    lines.push(
      metric(
        'pass',
        (r) => r.totals.pass_rate,
        (v) => formatPercent(v),
      ),
    );
    lines.push(
      metric(
        'hit rate',
        (r) => r.totals.cache_hit_rate,
        (v) => formatPercent(v),
      ),
    );
    lines.push(metric('cost', (r) => r.totals.cost_usd, formatUsd));
    lines.push(metric('wall', (r) => r.totals.wall_ms, formatDuration));
  }
  return `${lines.join('\n')}\n`;
}
