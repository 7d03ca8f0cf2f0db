import type { ReportData, VariantStats } from './aggregate.js';
import { formatCompact, formatDuration, formatPercent, formatPp, formatUsd } from './format.js';
import { describeInProgress } from './in-progress.js';
import type { Throughput } from './throughput.js';

/** A Markdown table; cells are escaped so a `|` in a value cannot break the layout. */
export function mdTable(header: string[], rows: string[][], align?: ('l' | 'r')[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const sep = header.map((_, i) => ((align?.[i] ?? 'r') === 'l' ? ':---' : '---:'));
  return [header, sep, ...rows].map((r) => `| ${r.map(esc).join(' | ')} |`).join('\n');
}

function interval(lo: number, hi: number): string {
  return `${formatPercent(lo, 0)}–${formatPercent(hi, 0)}`;
}

function variantRows(variants: VariantStats[]): string[][] {
  return variants.map((v) => [
    v.variant,
    String(v.samples),
    v.pass_rate === null ? 'n/a' : `${formatPercent(v.pass_rate)} (${interval(v.pass_ci.lo, v.pass_ci.hi)})`,
    String(v.errors),
    String(v.turns),
    formatCompact(v.input_tokens),
    formatCompact(v.cached_tokens),
    formatPercent(v.cache_hit_rate),
    formatCompact(v.cache_write_tokens),
    formatCompact(v.output_tokens),
    String(v.compactions),
    String(v.cache_breaks),
    formatUsd(v.cost_usd) + (v.cost_unknown > 0 ? '*' : ''),
    formatDuration(v.wall_ms),
  ]);
}

/** Plain-language differences between each variant and the first, the reference (the suite's baseline_variant, else the first declared). */
export function notableDifferences(variants: VariantStats[]): string[] {
  const [ref, ...others] = variants;
  if (!ref) return [];
  const notes: string[] = [];
  for (const v of others) {
    const hit = v.cache_hit_rate - ref.cache_hit_rate;
    if (Math.abs(hit) >= 0.02) {
      notes.push(
        `**${v.variant}** cache hit rate ${formatPercent(v.cache_hit_rate)} vs ${formatPercent(ref.cache_hit_rate)} for **${ref.variant}** (${formatPp(hit)}).`,
      );
    }
    if (ref.cost_usd > 0) {
      const rel = v.cost_usd / ref.cost_usd - 1;
      if (Math.abs(rel) >= 0.05) {
        notes.push(
          `**${v.variant}** costs ${formatUsd(v.cost_usd)} vs ${formatUsd(ref.cost_usd)} (${rel >= 0 ? '+' : ''}${(rel * 100).toFixed(1)}%).`,
        );
      }
    }
    if (v.pass_rate === null || ref.pass_rate === null) continue;
    const pass = v.pass_rate - ref.pass_rate;
    const overlap = v.pass_ci.lo <= ref.pass_ci.hi && ref.pass_ci.lo <= v.pass_ci.hi;
    if (Math.abs(pass) >= 0.01) {
      notes.push(
        `**${v.variant}** pass rate ${formatPercent(v.pass_rate)} vs ${formatPercent(ref.pass_rate)} (${formatPp(pass)}; ${overlap ? 'intervals overlap: not conclusive' : 'intervals do not overlap'}).`,
      );
    }
  }
  return notes;
}

/** The request rate and, with adaptive concurrency or 429s, how the endpoint's limit moved. */
export function throughputLines(t: Throughput): string[] {
  if (t.changes === 0 && t.rate_limited === 0) return [];
  const lines = [
    `- ${t.requests} model requests in ${t.duration_s} s: ${t.mean_rate.toFixed(1)}/s on average, ` +
      `${t.peak_rate.toFixed(1)}/s in the busiest ${t.bucket_s} s; ${t.rate_limited} attempts answered 429.`,
  ];
  for (const { endpoint, steps } of t.limits) {
    const limits = steps.map((s) => s.limit);
    lines.push(
      `- adaptive concurrency at \`${endpoint}\`: ${steps.length - 1} changes; the limit went from ` +
        `${limits[0]} down to ${Math.min(...limits)} and was ${limits.at(-1)} at the end ` +
        `(highest after its lowest: ${Math.max(...limits.slice(limits.indexOf(Math.min(...limits))))}).`,
    );
  }
  lines.push('- report.html draws requests per second, 429s and the limit over time.');
  return lines;
}

export function renderMarkdown(data: ReportData): string {
  const out: string[] = [];
  out.push(`## turnbench report: \`${data.run.run_id}\``);
  out.push('');
  if (data.in_progress) {
    out.push(`> **Partial report:** ${describeInProgress(data.in_progress)}.`);
    out.push('');
  }
  out.push(
    `Suite **${data.run.suite_name}**, status **${data.run.status}**, started ${data.run.started_at}` +
      (data.run.ended_at ? `, ended ${data.run.ended_at}` : '') +
      '.',
  );
  out.push('');
  out.push(
    mdTable(
      [
        'variant',
        'samples',
        'pass (95% CI)',
        'errors',
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
      ],
      variantRows(data.variants),
      ['l'],
    ),
  );
  if (data.variants.some((v) => v.cost_unknown > 0))
    out.push('', '\\* some samples have no known price (counted as $0).');
  const skippedSamples = data.variants.reduce((n, v) => n + v.skipped, 0);
  if (skippedSamples > 0) {
    out.push(
      '',
      `**${skippedSamples} samples were skipped**: the run reached its cost budget; they are in no figure above ` +
        `(\`turnbench run --resume ${data.run.run_id} --budget <more>\` runs them).`,
    );
  }
  const graded = data.variants.filter((v) => v.graded > 0);
  if (graded.length > 0) {
    const costs = graded.map((v) => `${v.variant} ${formatUsd(v.grader_cost_usd)}`).join(', ');
    out.push('', `Model graders (not in the cost column): ${costs}.`);
  }
  const passAtK = data.variants.filter((v) => v.pass_at_k.length > 1);
  if (passAtK.length > 0) {
    out.push('', '### pass@k across epochs', '');
    const ks = Math.max(...passAtK.map((v) => v.pass_at_k.length));
    out.push(
      mdTable(
        ['variant', ...Array.from({ length: ks }, (_, i) => `pass@${i + 1}`)],
        passAtK.map((v) => [
          v.variant,
          ...Array.from({ length: ks }, (_, i) => {
            const p = v.pass_at_k[i]?.value;
            return p === null || p === undefined ? '–' : formatPercent(p);
          }),
        ]),
        ['l'],
      ),
    );
  }
  const notes = notableDifferences(data.variants);
  if (notes.length > 0) {
    out.push('', '### Notable differences', '', ...notes.map((n) => `- ${n}`));
  }
  const rate = throughputLines(data.throughput);
  if (rate.length > 0) out.push('', '### Request rate and concurrency', '', ...rate);
  if (data.worst_breaks.length > 0) {
    out.push('', '### Worst cache breaks', '');
    out.push(
      mdTable(
        ['variant', 'sample', 'turn', 'reason', 'lost tokens', 'detail'],
        data.worst_breaks.map((b) => [
          b.variant,
          `\`${b.sample_id}\``,
          String(b.turn),
          b.reason,
          formatCompact(b.lost_tokens),
          b.detail ?? '',
        ]),
        ['l', 'l', 'r', 'l', 'r', 'l'],
      ),
    );
  }
  const skipped = data.skipped_lines.samples + data.skipped_lines.turns + data.skipped_lines.events;
  if (skipped > 0)
    out.push('', `_${skipped} unreadable line(s) skipped (e.g. a torn last line after a crash)._`);
  out.push('');
  return out.join('\n');
}
