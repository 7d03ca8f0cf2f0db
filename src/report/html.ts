import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ReportData } from './aggregate.js';
import { formatCompact, formatDuration, formatPercent, formatUsd } from './format.js';
import type { HistoryEntry } from './history.js';
import { REPORT_CLIENT_JS } from './html-client.js';
import { REPORT_CSS } from './html-style.js';
import { describeInProgress } from './in-progress.js';

let chartJsCache: string | null = null;

/** Chart.js's UMD bundle from node_modules, inlined so the report works offline. */
export function chartJsSource(): string {
  if (chartJsCache) return chartJsCache;
  const require = createRequire(import.meta.url);
  const main = require.resolve('chart.js');
  const source = readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8');
  chartJsCache = source.replace(/\/\/# sourceMappingURL=.*$/m, '');
  return chartJsCache;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside a <script> element: no `</script>` or `<!--` can appear. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function summaryTable(data: ReportData): string {
  const head = [
    'variant',
    'samples',
    'pass (95% CI)',
    'turns',
    'input',
    'cached',
    'hit rate',
    'writes',
    'output',
    'compactions',
    'breaks',
    'cost',
    'wall',
  ];
  const rows = data.variants.map((v) =>
    [
      v.variant,
      String(v.samples),
      v.pass_rate === null
        ? 'n/a'
        : `${formatPercent(v.pass_rate)} (${formatPercent(v.pass_ci.lo, 0)}–${formatPercent(v.pass_ci.hi, 0)})`,
      String(v.turns),
      formatCompact(v.input_tokens),
      formatCompact(v.cached_tokens),
      formatPercent(v.cache_hit_rate),
      formatCompact(v.cache_write_tokens),
      formatCompact(v.output_tokens),
      String(v.compactions),
      String(v.cache_breaks),
      formatUsd(v.cost_usd),
      formatDuration(v.wall_ms),
    ]
      .map((c) => `<td>${escapeHtml(c)}</td>`)
      .join(''),
  );
  return `<table id="variants"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r}</tr>`)
    .join('')}</tbody></table>`;
}

function chartCard(id: string, title: string): string {
  return `<div class="card"><h3>${escapeHtml(title)}</h3><div class="chart"><canvas id="${id}"></canvas></div></div>`;
}

export function renderHtml(data: ReportData, history: HistoryEntry[] = []): string {
  const payload = { ...data, history };
  const title = `turnbench report ${data.run.run_id}`;
  const historyCard = history.length > 1 ? chartCard('chart-history', 'Cache hit rate across runs') : '';
  const throughputCard =
    data.throughput.buckets.length > 0
      ? chartCard('chart-throughput', 'Requests per second, 429s and concurrency limit over time')
      : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${data.in_progress ? `<div class="partial"><b>Partial report:</b> ${escapeHtml(describeInProgress(data.in_progress))}.</div>` : ''}
<div class="meta">suite <b>${escapeHtml(data.run.suite_name)}</b> · status <b>${escapeHtml(data.run.status)}</b> · started ${escapeHtml(
    data.run.started_at,
  )}${data.run.ended_at ? ` · ended ${escapeHtml(data.run.ended_at)}` : ''}</div>
<h2>Variants</h2>
${summaryTable(data)}
<h2>Charts</h2>
<div class="grid">
${chartCard('chart-tokens', 'Input vs cached tokens per turn')}
${chartCard('chart-hit', 'Cache hit rate by turn')}
${chartCard('chart-cum', 'Cumulative tokens sent vs uncached')}
${chartCard('chart-bytes', 'Cumulative bytes sent')}
${chartCard('chart-cost', 'Cost per variant')}
${chartCard('chart-pass', 'Pass rate with 95% Wilson intervals')}
${throughputCard}
${historyCard}
</div>
<h2>Samples</h2>
<input id="filter" type="search" placeholder="filter by sample, task, variant, status">
<span id="samples-count" class="note"></span>
<table id="samples"></table>
<div id="drilldown"><p class="note">Click a sample to see its turns${data.drilldown_partial ? ' (this large run keeps turns for a selection of samples)' : ''}.</p></div>
<script type="application/json" id="report-data">${jsonForScript(payload)}</script>
<script>${chartJsSource()}</script>
<script>${REPORT_CLIENT_JS}</script>
</body>
</html>
`;
}
