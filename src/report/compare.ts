import type { SampleRecord } from '../telemetry/index.js';
import { formatCompact, formatPercent, formatPp, formatRelative, formatUsd } from './format.js';
import { evaluateGates, GATE_METRICS, type Gate, type GateMetric, type GateResult } from './gates.js';
import { mdTable } from './markdown.js';
import { readManifest } from './run-dir.js';
import { type PairedDifference, pairedDifference } from './stats.js';
import { readSamples, runVariantOrder, summarizeSamples, type VariantSummary, wasRun } from './summary.js';

/** A metric of both runs; null where a run cannot measure it (pass_rate with no scored sample). */
export interface MetricDelta {
  baseline: number | null;
  candidate: number | null;
  /** null when either side is null. */
  delta: number | null;
  /** candidate / baseline - 1; null when the baseline is 0 or either side is null. */
  relative: number | null;
}

interface TaskView {
  epochs: number;
  /** null when no epoch of the task was scored. */
  pass_rate: number | null;
  cache_hit_rate: number;
  cost_usd: number;
}

export interface TaskComparison {
  task_id: string;
  baseline: TaskView;
  candidate: TaskView;
}

export interface Flip {
  task_id: string;
  epoch: number;
  from: 'pass' | 'fail';
  to: 'pass' | 'fail';
}

export interface VariantComparison {
  variant: string;
  metrics: Record<GateMetric, MetricDelta>;
  /** Differences over tasks present in both runs (per-task means over epochs), with 95% intervals. */
  paired: { pass_rate: PairedDifference; cache_hit_rate: PairedDifference; cost_usd: PairedDifference };
  flips: Flip[];
  tasks: TaskComparison[];
}

export interface CompareResult {
  baseline: { run_id: string; status: string };
  candidate: { run_id: string; status: string };
  variants: VariantComparison[];
  /** Variants present in only one of the runs. */
  unmatched: { baseline: string[]; candidate: string[] };
  gates: GateResult[];
  failed: boolean;
}

interface TaskAcc {
  epochs: number;
  /** Epochs with a score (not errors). */
  scored: number;
  passed: number;
  input: number;
  cached: number;
  cost: number;
}

function byTask(samples: readonly SampleRecord[]): Map<string, TaskAcc> {
  const map = new Map<string, TaskAcc>();
  for (const s of samples) {
    const t = map.get(s.task_id) ?? { epochs: 0, scored: 0, passed: 0, input: 0, cached: 0, cost: 0 };
    t.epochs++;
    if (s.passed !== null) t.scored++;
    if (s.passed === true) t.passed++;
    t.input += s.input_tokens;
    t.cached += s.cached_tokens ?? 0;
    t.cost += s.cost_usd ?? 0;
    map.set(s.task_id, t);
  }
  return map;
}

const taskView = (t: TaskAcc): TaskView => ({
  epochs: t.epochs,
  pass_rate: t.scored > 0 ? t.passed / t.scored : null,
  cache_hit_rate: t.input > 0 ? t.cached / t.input : 0,
  cost_usd: t.cost,
});

function metricDeltas(b: VariantSummary, c: VariantSummary): Record<GateMetric, MetricDelta> {
  const out = {} as Record<GateMetric, MetricDelta>;
  for (const m of GATE_METRICS) {
    const [x, y] = [b[m], c[m]];
    const both = x !== null && y !== null;
    out[m] = {
      baseline: x,
      candidate: y,
      delta: both ? y - x : null,
      relative: both && x !== 0 ? y / x - 1 : null,
    };
  }
  return out;
}

function compareVariant(
  name: string,
  b: VariantSummary,
  c: VariantSummary,
  bSamples: SampleRecord[],
  cSamples: SampleRecord[],
): VariantComparison {
  const bTasks = byTask(bSamples);
  const cTasks = byTask(cSamples);
  const tasks: TaskComparison[] = [];
  for (const [task_id, bt] of bTasks) {
    const ct = cTasks.get(task_id);
    if (ct) tasks.push({ task_id, baseline: taskView(bt), candidate: taskView(ct) });
  }
  tasks.sort((x, y) => x.task_id.localeCompare(y.task_id));
  // A task unscored in either run has no pass-rate difference to pair.
  const pairs = (key: 'pass_rate' | 'cache_hit_rate' | 'cost_usd') =>
    pairedDifference(
      tasks.flatMap((t) => {
        const [baseline, candidate] = [t.baseline[key], t.candidate[key]];
        return baseline === null || candidate === null ? [] : [{ baseline, candidate }];
      }),
    );
  // Only scored samples flip: an error is neither a pass nor a fail.
  const bOutcome = new Map(
    bSamples.filter((s) => s.passed !== null).map((s) => [`${s.task_id}\u0000${s.epoch}`, s.passed === true]),
  );
  const flips: Flip[] = [];
  for (const s of cSamples) {
    if (s.passed === null) continue;
    const before = bOutcome.get(`${s.task_id}\u0000${s.epoch}`);
    const after = s.passed === true;
    if (before === undefined || before === after) continue;
    flips.push({
      task_id: s.task_id,
      epoch: s.epoch,
      from: before ? 'pass' : 'fail',
      to: after ? 'pass' : 'fail',
    });
  }
  flips.sort((x, y) => x.task_id.localeCompare(y.task_id) || x.epoch - y.epoch);
  return {
    variant: name,
    metrics: metricDeltas(b, c),
    paired: {
      pass_rate: pairs('pass_rate'),
      cache_hit_rate: pairs('cache_hit_rate'),
      cost_usd: pairs('cost_usd'),
    },
    flips,
    tasks,
  };
}

export async function compareRuns(
  baselineDir: string,
  candidateDir: string,
  gates: readonly Gate[] = [],
): Promise<CompareResult> {
  const bManifest = readManifest(baselineDir);
  const cManifest = readManifest(candidateDir);
  // A sample skipped for a budget was never run: it is neither a pass nor a fail.
  const bSamples = [...(await readSamples(baselineDir)).samples.values()].filter(wasRun);
  const cSamples = [...(await readSamples(candidateDir)).samples.values()].filter(wasRun);
  const bSummary = summarizeSamples(bSamples, runVariantOrder(bManifest));
  const cSummary = summarizeSamples(cSamples, runVariantOrder(cManifest));
  const bByName = new Map(bSummary.map((v) => [v.variant, v]));

  const pairs: { name: string; b: VariantSummary; c: VariantSummary }[] = [];
  for (const c of cSummary) {
    const b = bByName.get(c.variant);
    if (b) pairs.push({ name: c.variant, b, c });
  }
  // Two single-variant runs with different variant names are still comparable one to one.
  const [onlyB] = bSummary;
  const [onlyC] = cSummary;
  if (pairs.length === 0 && bSummary.length === 1 && cSummary.length === 1 && onlyB && onlyC) {
    pairs.push({ name: `${onlyB.variant} -> ${onlyC.variant}`, b: onlyB, c: onlyC });
  }
  const variants = pairs.map((p) =>
    compareVariant(
      p.name,
      p.b,
      p.c,
      bSamples.filter((s) => s.variant === p.b.variant),
      cSamples.filter((s) => s.variant === p.c.variant),
    ),
  );
  const gateResults = evaluateGates(
    gates,
    pairs.map((p) => ({ variant: p.name, baseline: p.b, candidate: p.c })),
  );
  return {
    baseline: { run_id: bManifest.run_id, status: bManifest.status },
    candidate: { run_id: cManifest.run_id, status: cManifest.status },
    variants,
    unmatched: {
      baseline: bSummary.map((v) => v.variant).filter((n) => !pairs.some((p) => p.b.variant === n)),
      candidate: cSummary.map((v) => v.variant).filter((n) => !pairs.some((p) => p.c.variant === n)),
    },
    gates: gateResults,
    failed: gateResults.some((g) => g.failed),
  };
}

// ------------------------------------------------------------------ rendering

const SHOWN: GateMetric[] = [
  'pass_rate',
  'cache_hit_rate',
  'cost_usd',
  'input_tokens',
  'cached_tokens',
  'output_tokens',
  'turns',
  'errors',
  'cache_breaks',
  'compactions',
];

function show(metric: GateMetric, v: number | null): string {
  if (v === null) return 'n/a';
  if (metric === 'pass_rate' || metric === 'cache_hit_rate') return formatPercent(v);
  if (metric === 'cost_usd') return formatUsd(v);
  return formatCompact(v);
}

function showDelta(metric: GateMetric, d: MetricDelta): string {
  if (d.delta === null) return 'n/a';
  if (metric === 'pass_rate' || metric === 'cache_hit_rate') return formatPp(d.delta);
  return d.relative === null ? (d.delta === 0 ? '0' : 'new') : formatRelative(d.relative);
}

function showInterval(metric: GateMetric, p: PairedDifference | undefined): string {
  if (!p?.ci) return '';
  if (metric === 'cost_usd')
    return `${formatUsd(p.ci.lo)} to ${formatUsd(p.ci.hi)} per task${p.significant ? ' *' : ''}`;
  return `${formatPp(p.ci.lo)} to ${formatPp(p.ci.hi)} per task${p.significant ? ' *' : ''}`;
}

function metricRows(v: VariantComparison): string[][] {
  return SHOWN.map((m) => {
    const d = v.metrics[m];
    const p = m === 'pass_rate' || m === 'cache_hit_rate' || m === 'cost_usd' ? v.paired[m] : undefined;
    return [m, show(m, d.baseline), show(m, d.candidate), showDelta(m, d), showInterval(m, p)];
  });
}

/** The change a gate measured, in its unit: "+1.25pp", "-3.10%", "+2.00". */
export function formatGateChange(g: GateResult): string {
  if (g.delta === null) return `n/a (${g.baseline === null ? 'baseline' : 'candidate'} has no scored sample)`;
  const unit = g.gate.endsWith('pp') ? 'pp' : g.gate.endsWith('%') ? '%' : '';
  return Number.isFinite(g.delta)
    ? `${g.delta >= 0 ? '+' : ''}${g.delta.toFixed(2)}${unit}`
    : String(g.delta);
}

function gateLine(g: GateResult): string {
  return `${g.failed ? 'FAIL' : 'ok  '}  ${g.gate}  [${g.variant}]  change ${formatGateChange(g)}`;
}

export function formatCompareText(r: CompareResult): string {
  const lines = [`baseline ${r.baseline.run_id}  ->  candidate ${r.candidate.run_id}`];
  for (const v of r.variants) {
    lines.push('', `variant ${v.variant}`);
    const rows = [['metric', 'baseline', 'candidate', 'change', '95% CI (paired by task)'], ...metricRows(v)];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
    for (const row of rows)
      lines.push(
        `  ${row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`,
      );
    if (v.flips.length > 0) {
      lines.push(`  flipped: ${v.flips.map((f) => `${f.task_id}#${f.epoch} ${f.from}->${f.to}`).join(', ')}`);
    }
  }
  if (r.unmatched.baseline.length + r.unmatched.candidate.length > 0) {
    lines.push(
      '',
      `unmatched variants: baseline [${r.unmatched.baseline.join(', ')}], candidate [${r.unmatched.candidate.join(', ')}]`,
    );
  }
  if (r.gates.length > 0) {
    lines.push('', `gates: ${r.failed ? 'FAILED' : 'passed'}`, ...r.gates.map((g) => `  ${gateLine(g)}`));
  }
  return `${lines.join('\n')}\n`;
}

export function renderCompareMarkdown(r: CompareResult): string {
  const out = [`## turnbench compare: \`${r.baseline.run_id}\` → \`${r.candidate.run_id}\``];
  if (r.gates.length > 0) {
    out.push('', r.failed ? '**Gate: FAILED** ❌' : '**Gate: passed** ✅', '');
    out.push(
      mdTable(
        ['gate', 'variant', 'baseline', 'candidate', 'result'],
        r.gates.map((g) => [
          `\`${g.gate}\``,
          g.variant,
          g.baseline === null ? 'n/a' : String(+g.baseline.toFixed(6)),
          g.candidate === null ? 'n/a' : String(+g.candidate.toFixed(6)),
          g.delta === null ? 'FAIL (not measurable)' : g.failed ? 'FAIL' : 'ok',
        ]),
        ['l', 'l'],
      ),
    );
  }
  for (const v of r.variants) {
    out.push('', `### ${v.variant}`, '');
    out.push(
      mdTable(['metric', 'baseline', 'candidate', 'change', '95% CI (paired by task)'], metricRows(v), ['l']),
    );
    if (v.flips.length > 0) {
      out.push(
        '',
        `Flipped: ${v.flips.map((f) => `\`${f.task_id}\` #${f.epoch} ${f.from} → ${f.to}`).join(', ')}`,
      );
    }
    const changed = v.tasks.filter(
      (t) =>
        t.baseline.pass_rate !== t.candidate.pass_rate ||
        Math.abs(t.baseline.cache_hit_rate - t.candidate.cache_hit_rate) >= 0.01 ||
        Math.abs(t.baseline.cost_usd - t.candidate.cost_usd) > 1e-9,
    );
    if (changed.length > 0) {
      out.push('', '<details><summary>Per task</summary>', '');
      out.push(
        mdTable(
          ['task', 'pass', 'hit rate', 'cost'],
          changed.map((t) => [
            t.task_id,
            `${formatPercent(t.baseline.pass_rate, 0)} → ${formatPercent(t.candidate.pass_rate, 0)}`,
            `${formatPercent(t.baseline.cache_hit_rate)} → ${formatPercent(t.candidate.cache_hit_rate)}`,
            `${formatUsd(t.baseline.cost_usd)} → ${formatUsd(t.candidate.cost_usd)}`,
          ]),
          ['l'],
        ),
      );
      out.push('', '</details>');
    }
  }
  out.push('');
  return out.join('\n');
}
