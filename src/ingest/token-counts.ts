import * as z from 'zod';
import type { NormalisedUsage } from '../model/index.js';

/**
 * Codex's `TokenUsage`, read tolerantly: every field may be missing (older versions had no
 * `cached_input_tokens` or `reasoning_output_tokens`; `cache_write_input_tokens` came with 0.145).
 * A missing field is unknown (null), never 0.
 */
const count = z.number().int().min(0).nullish();
export const CodexTokenUsageSchema = z.looseObject({
  input_tokens: count,
  cached_input_tokens: count,
  cache_write_input_tokens: count,
  output_tokens: count,
  reasoning_output_tokens: count,
  total_tokens: count,
});

export interface TokenCounts {
  input: number | null;
  cached: number | null;
  cacheWrite: number | null;
  output: number | null;
  reasoning: number | null;
  total: number | null;
}

export function tokenCounts(raw: z.infer<typeof CodexTokenUsageSchema>): TokenCounts {
  return {
    input: raw.input_tokens ?? null,
    cached: raw.cached_input_tokens ?? null,
    cacheWrite: raw.cache_write_input_tokens ?? null,
    output: raw.output_tokens ?? null,
    reasoning: raw.reasoning_output_tokens ?? null,
    total: raw.total_tokens ?? null,
  };
}

const FIELDS = ['input', 'cached', 'cacheWrite', 'output', 'reasoning', 'total'] as const;

export function sameCounts(a: TokenCounts, b: TokenCounts): boolean {
  return FIELDS.every((f) => a[f] === b[f]);
}

/** Equal in every field both sides know, `total` left out (Codex's total may be computed differently). */
export function agrees(a: TokenCounts, b: TokenCounts): boolean {
  return FIELDS.every((f) => f === 'total' || a[f] === null || b[f] === null || a[f] === b[f]);
}

function minus(a: TokenCounts, b: TokenCounts): TokenCounts {
  const out = {} as TokenCounts;
  for (const f of FIELDS) {
    const x = a[f];
    const y = b[f];
    out[f] = x === null || y === null ? null : x - y;
  }
  return out;
}

const isNegative = (c: TokenCounts) => FIELDS.some((f) => (c[f] ?? 0) < 0);

/** No tokens in or out: a context-size update (after a compaction), never a model request. */
const isEmpty = (c: TokenCounts) => (c.input ?? 0) === 0 && (c.output ?? 0) === 0;

export function describeCounts(c: TokenCounts): string {
  const n = (v: number | null) => (v === null ? '?' : String(v));
  return `input ${n(c.input)}, cached ${n(c.cached)}, output ${n(c.output)}`;
}

export type CountVerdict =
  | { kind: 'request'; usage: TokenCounts; warning: string | null }
  | { kind: 'repeat' }
  /** A usage report with nothing in or out; `contextTokens` is the context size it states, if any. */
  | { kind: 'context'; contextTokens: number | null };

/**
 * Tells a new model request from a repeated usage report.
 *
 * Codex repeats identical `token_count` events, and two genuine requests can report identical
 * per-request usage (`last_token_usage`). The cumulative `total_token_usage` tells them apart: a
 * repeat leaves it unchanged, a genuine request changes it. A request's usage is what the log says
 * for it, its `last_token_usage`; the growth of the total counts only when a report has no
 * `last_token_usage`.
 *
 * The total is not always one running sum: Codex before the versions that carry it over restarts it
 * from zero when a session is resumed (appending to the same file), so after a resume the total
 * equals the request's own usage, and it may well exceed the old total in every field. A total
 * equal to its `last_token_usage` is such a restart; a total that grows by other than its
 * `last_token_usage` (or goes down) is a warning, and `last_token_usage` is still what is counted.
 *
 * Without a total (the oldest event shape), an identical report is a repeat only when the model
 * produced no output item since the previous report.
 */
export class TokenCountDedup {
  private lastTotal: TokenCounts | null = null;
  private lastUsage: TokenCounts | null = null;
  /** A request counted from a report without a total, not yet seen in a running total. */
  private uncounted: TokenCounts | null = null;

  accept(
    report: { last: TokenCounts | null; total: TokenCounts | null },
    outputSinceLast: boolean,
  ): CountVerdict {
    const { last, total } = report;
    if (total) return this.acceptTotal(total, last, outputSinceLast);
    if (!last) return { kind: 'context', contextTokens: null };
    if (this.lastUsage && sameCounts(last, this.lastUsage) && !outputSinceLast) return { kind: 'repeat' };
    this.lastUsage = last;
    if (isEmpty(last)) return { kind: 'context', contextTokens: last.total };
    this.uncounted = last;
    return { kind: 'request', usage: last, warning: null };
  }

  private acceptTotal(total: TokenCounts, last: TokenCounts | null, outputSinceLast: boolean): CountVerdict {
    const previous = this.lastTotal;
    if (previous && sameCounts(total, previous)) {
      return last && isEmpty(last) ? { kind: 'context', contextTokens: last.total } : { kind: 'repeat' };
    }
    this.lastTotal = total;
    this.lastUsage = last;
    const uncounted = this.uncounted;
    this.uncounted = null;
    // The running total catching up with a request already counted from a report without one.
    if (uncounted && !outputSinceLast && previous && agrees(minus(total, previous), uncounted)) {
      return { kind: 'repeat' };
    }
    const { usage, warning } = last ? checkedAgainstTotal(last, total, previous) : growthOf(total, previous);
    if (isEmpty(usage)) return { kind: 'context', contextTokens: last?.total ?? null };
    return { kind: 'request', usage, warning };
  }
}

/** The request's own usage as the log reports it; the total only says whether it adds up. */
function checkedAgainstTotal(
  last: TokenCounts,
  total: TokenCounts,
  previous: TokenCounts | null,
): { usage: TokenCounts; warning: string | null } {
  // No total before, or a total that starts anew with this request (a resume restarts it).
  if (!previous || agrees(total, last)) return { usage: last, warning: null };
  const growth = minus(total, previous);
  if (isNegative(growth)) {
    return {
      usage: last,
      warning: `total_token_usage went down (${describeCounts(previous)} -> ${describeCounts(total)}); counting on from here`,
    };
  }
  if (agrees(growth, last)) return { usage: last, warning: null };
  return {
    usage: last,
    warning: `total_token_usage grew by ${describeCounts(growth)} but last_token_usage says ${describeCounts(last)}; last_token_usage is counted (the log reports no request for the difference)`,
  };
}

/** A request known only by the growth of the total (a report without `last_token_usage`). */
function growthOf(
  total: TokenCounts,
  previous: TokenCounts | null,
): { usage: TokenCounts; warning: string | null } {
  if (!previous) return { usage: total, warning: null };
  const growth = minus(total, previous);
  if (!isNegative(growth)) return { usage: growth, warning: null };
  return {
    usage: total,
    warning: `total_token_usage went down (${describeCounts(previous)} -> ${describeCounts(total)}); counting on from here`,
  };
}

/** Counts as a turn record's usage; null when the report lacks input or output tokens. */
export function asNormalisedUsage(c: TokenCounts): NormalisedUsage | null {
  if (c.input === null || c.output === null) return null;
  return {
    inputTokens: c.input,
    cachedTokens: c.cached,
    cacheWriteTokens: c.cacheWrite,
    // Codex's TokenUsage has one write count, no 30-minute / 12-hour split (0.171's logs, 0.153's binary)
    cacheWrite12hTokens: null,
    outputTokens: c.output,
    reasoningTokens: c.reasoning,
  };
}
