/** Number formats shared by the terminal table, Markdown, HTML and CSV outputs. */

export function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** 1234567 -> "1.23M", 12345 -> "12.3k", 999 -> "999". */
export function formatCompact(n: number | null): string {
  if (n === null) return 'n/a';
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (abs >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (abs >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

/** 0.8125 -> "81.3%"; null (a rate with nothing to measure, e.g. no scored sample) -> "n/a". */
export function formatPercent(rate: number | null, digits = 1): string {
  if (rate === null) return 'n/a';
  return `${(rate * 100).toFixed(digits)}%`;
}

/** Cost with enough precision for cheap runs: 0.000123 -> "$0.000123", 12.3 -> "$12.30", -0.5 -> "-$0.5000". */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0.00';
  const sign = usd < 0 ? '-' : '';
  const abs = Math.abs(usd);
  if (abs >= 1) return `${sign}$${abs.toFixed(2)}`;
  if (abs >= 0.01) return `${sign}$${abs.toFixed(4)}`;
  return `${sign}$${abs.toPrecision(3)}`;
}

/** 950 -> "950ms", 12_300 -> "12.3s", 754_000 -> "12m34s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalS = Math.round(ms / 1000);
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = totalS % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s).padStart(2, '0')}s`;
}

/** Signed percentage-point delta: 0.031 -> "+3.1pp". */
export function formatPp(delta: number, digits = 1): string {
  const v = delta * 100;
  return `${v >= 0 ? '+' : ''}${v.toFixed(digits)}pp`;
}

/** Signed relative change: 0.1 -> "+10.0%". */
export function formatRelative(ratio: number, digits = 1): string {
  if (!Number.isFinite(ratio)) return ratio > 0 ? '+inf%' : 'n/a';
  const v = ratio * 100;
  return `${v >= 0 ? '+' : ''}${v.toFixed(digits)}%`;
}
