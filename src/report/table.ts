import { Chalk, type ChalkInstance } from 'chalk';
import { printable } from '../secrets/index.js';
import { formatCompact, formatDuration, formatPercent, formatUsd } from './format.js';
import type { RunSummary, VariantSummary } from './summary.js';

export interface TableOptions {
  /** Colour the output. Default: stdout is a TTY and NO_COLOR is not set. */
  color?: boolean;
}

export function colorWanted(stream: { isTTY?: boolean } = process.stdout): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR;
}

interface Column {
  title: string;
  align: 'left' | 'right';
  value: (v: VariantSummary) => string;
}

const COLUMNS: Column[] = [
  // a variant's name may come from a session log (ingest)
  { title: 'variant', align: 'left', value: (v) => printable(v.variant) },
  { title: 'samples', align: 'right', value: (v) => String(v.samples) },
  { title: 'pass', align: 'right', value: (v) => formatPercent(v.pass_rate) },
  { title: 'turns', align: 'right', value: (v) => String(v.turns) },
  { title: 'input', align: 'right', value: (v) => formatCompact(v.input_tokens) },
  { title: 'cached', align: 'right', value: (v) => formatCompact(v.cached_tokens) },
  { title: 'hit rate', align: 'right', value: (v) => formatPercent(v.cache_hit_rate) },
  { title: 'writes', align: 'right', value: (v) => formatCompact(v.cache_write_tokens) },
  { title: 'output', align: 'right', value: (v) => formatCompact(v.output_tokens) },
  { title: 'compactions', align: 'right', value: (v) => String(v.compactions) },
  { title: 'cost', align: 'right', value: (v) => formatUsd(v.cost_usd) + (v.cost_unknown > 0 ? '*' : '') },
  { title: 'wall', align: 'right', value: (v) => formatDuration(v.wall_ms) },
];

/** Shown after `cost` when model scorers graded samples: their cost is kept apart from the agents'. */
const GRADER_COLUMN: Column = {
  title: 'grader cost',
  align: 'right',
  value: (v) => formatUsd(v.grader_cost_usd),
};

function columnsFor(summary: RunSummary): Column[] {
  if (!summary.variants.some((v) => v.graded > 0)) return COLUMNS;
  const at = COLUMNS.findIndex((col) => col.title === 'cost') + 1;
  return [...COLUMNS.slice(0, at), GRADER_COLUMN, ...COLUMNS.slice(at)];
}

function pad(text: string, width: number, align: 'left' | 'right'): string {
  return align === 'left' ? text.padEnd(width) : text.padStart(width);
}

/** Colour for a cache hit rate cell: green when high, red when low. */
function hitColor(c: ChalkInstance, rate: number): ChalkInstance {
  if (rate >= 0.5) return c.green;
  if (rate >= 0.2) return c.yellow;
  return c.red;
}

/** An aligned table with one row per variant; plain text unless colour is wanted. */
export function formatSummaryTable(summary: RunSummary, options: TableOptions = {}): string {
  const c = new Chalk({ level: (options.color ?? colorWanted()) ? 1 : 0 });
  const columns = columnsFor(summary);
  const rows = summary.variants.map((v) => columns.map((col) => col.value(v)));
  const widths = columns.map((col, i) => Math.max(col.title.length, ...rows.map((r) => (r[i] ?? '').length)));
  const header = columns.map((col, i) => c.bold(pad(col.title, widths[i] ?? 0, col.align))).join('  ');
  const body = summary.variants.map((v, r) =>
    columns
      .map((col, i) => {
        const cell = pad(rows[r]?.[i] ?? '', widths[i] ?? 0, col.align);
        if (col.title === 'hit rate') return hitColor(c, v.cache_hit_rate)(cell);
        if (col.title === 'variant') return c.cyan(cell);
        return cell;
      })
      .join('  '),
  );
  const lines = [`run ${summary.run_id} (${summary.status})`, header, ...body];
  const unknownCost = summary.variants.some((v) => v.cost_unknown > 0);
  const unknownCached = summary.variants.some((v) => v.cached_unknown > 0);
  if (unknownCost) lines.push(c.dim('* some samples have no known price (counted as $0)'));
  if (unknownCached) lines.push(c.dim('some samples have no cached-token count (counted as 0 cached)'));
  const skipped = summary.variants.reduce((n, v) => n + v.skipped, 0);
  if (skipped > 0)
    lines.push(c.yellow(`${skipped} samples skipped: the run reached its cost budget (not counted above)`));
  return `${lines.join('\n')}\n`;
}
