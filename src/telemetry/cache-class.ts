import type { CacheRules } from './cache-class-rules.js';
import { type PromptFingerprint, sharedHeadTokens } from './prefix.js';
import type { CacheClass, PrefixCheck } from './records.js';

export {
  CACHE_PROFILES,
  CACHE_RETENTION,
  type CacheRules,
  cacheRetentionMsFor,
  cacheRulesFor,
  DEFAULT_CACHE_RULES,
} from './cache-class-rules.js';

/** One request as the cache expectation sees it: our fingerprint and the provider's input count. */
export interface PromptTokens {
  fingerprint: PromptFingerprint;
  /** input_tokens the provider reported for this request; null when unknown. */
  inputTokens: number | null;
}

/** What a provider can return for a shared prefix of `tokens`: 0 below the minimum, else rounded down to the step. */
export function roundToCacheRules(tokens: number, rules: CacheRules): number {
  if (tokens < rules.minTokens) return 0;
  return rules.minTokens + Math.floor((tokens - rules.minTokens) / rules.step) * rules.step;
}

function estimatedPromptTokens(fp: PromptFingerprint, items = fp.itemHashes.length): number {
  let total = fp.prefixTokens;
  for (let i = 0; i < items; i++) total += fp.itemTokens[i]!;
  return total;
}

/**
 * An earlier prompt of the conversation that is exactly the first `items` items of the shared
 * part (same model, instructions, tools and settings): its `input_tokens` is the provider's own
 * count of that much of the prefix.
 */
export interface PromptAnchor {
  items: number;
  inputTokens: number;
}

/**
 * The cached tokens a perfect provider cache would report for `next`: the part of `next` that
 * equals the previous *prompt* (a provider caches prompts it processed, not the output it
 * generated), rounded by the cache rules. A break before the items keeps the head it shares
 * (sharedHeadTokens: tools come first, then instructions), so a tool appended at the end of the
 * list still expects the tools before it.
 *
 * Our token figures are o200k counts of canonical JSON, not the provider's rendering, so they are
 * calibrated: a prefix covering the whole previous prompt is exactly the previous `input_tokens`.
 * A partial one (what a compaction kept) starts from `anchor`, the provider's count of an earlier
 * prompt that was exactly its first items, when there is one; only the rest is estimated, scaled
 * by previous `input_tokens` / our estimate of it (or, when unknown, by the same ratio for `next`).
 * That ratio is the whole prompt's, and one item can skew it far: a compaction item counts as the
 * history it replaced but its text is short. Only the previous request's prefix is considered: a
 * return to an older layout may hit more than expected, which classifies as `hit`.
 */
export function expectedCachedTokens(
  prefix: PrefixCheck,
  prev: PromptTokens | null,
  next: PromptTokens,
  rules: CacheRules,
  anchor: PromptAnchor | null = null,
): number {
  if (!prev || prefix.extends_previous === null) return 0;
  const prevItems = prev.fingerprint.itemHashes.length;
  const at = prefix.diverged_at;
  const head = typeof at === 'string' ? at : null;
  const sharedItems = typeof at === 'number' ? Math.min(at, prevItems) : at === null ? prevItems : 0;

  let shared: number;
  if (head === null && sharedItems === prevItems && prev.inputTokens !== null) {
    // The usual turn: no token estimate is read, so none is counted.
    shared = prev.inputTokens;
  } else {
    // An anchor is for kept items only: a break before the items shares no item.
    const known = head === null && anchor !== null && anchor.items <= sharedItems ? anchor : null;
    const sharedEstimate =
      head !== null
        ? sharedHeadTokens(prev.fingerprint, next.fingerprint, head)
        : estimatedPromptTokens(prev.fingerprint, sharedItems);
    if (sharedEstimate === 0) return 0;
    const prevEstimate = estimatedPromptTokens(prev.fingerprint);
    let scale = 1;
    if (prev.inputTokens !== null && prevEstimate > 0) scale = prev.inputTokens / prevEstimate;
    else if (next.inputTokens !== null) {
      const nextEstimate = estimatedPromptTokens(next.fingerprint);
      if (nextEstimate > 0) scale = next.inputTokens / nextEstimate;
    }
    shared = known
      ? known.inputTokens +
        Math.round((sharedEstimate - estimatedPromptTokens(prev.fingerprint, known.items)) * scale)
      : Math.round(sharedEstimate * scale);
  }
  if (next.inputTokens !== null) shared = Math.min(shared, next.inputTokens);
  return roundToCacheRules(shared, rules);
}

/** Observed cached tokens may fall this far below expected and still count as a hit. */
export function hitTolerance(expected: number, rules: CacheRules): number {
  return Math.max(rules.step, Math.ceil(expected * 0.02));
}

export interface ClassifyInput {
  turn: number;
  prefix: PrefixCheck;
  expectedCached: number | null;
  observedCached: number | null;
  inputTokens: number;
  /** The previous step compacted the history. */
  afterCompaction: boolean;
  rules: CacheRules;
}

/** A break inside the items right after a compaction is the compaction's, not the layout's. */
export function isCompactionBreak(prefix: PrefixCheck, afterCompaction: boolean): boolean {
  if (prefix.reason === 'compacted') return true;
  return afterCompaction && (prefix.reason === 'item_changed' || prefix.reason === 'items_removed');
}

/**
 * One class per turn, checked in this order:
 * - `first_turn`: nothing to compare with (turn 1, or no previous prompt).
 * - `below_minimum`: the prompt is below the cache minimum, so no hit was possible whatever the layout.
 * - `harness_break`: our prompt broke the prefix (any reason except a compaction-attributed one).
 *   Decided by our own check alone, so it is reported even when the provider gives no cache figures.
 * - `unknown`: the provider did not report cached tokens (or no expectation could be computed).
 * - `hit`: observed >= expected - tolerance (one step, or 2% of expected if larger). This includes
 *   expected = 0 when there was nothing a cache could serve: after a compaction (the prefix reason
 *   stays `compacted`, so the cost is still attributed to it) or after a previous prompt below the
 *   minimum. `hit` means "the provider did as well as a perfect cache could", not "tokens were cached".
 * - `provider_miss`: the prefix held as far as `expected` says, but the provider returned clearly
 *   less (eviction, routing, TTL). A compaction turn can be a provider miss too: when part of the
 *   prompt survived the compaction and still was not served.
 */
export function classifyTurn(input: ClassifyInput): CacheClass {
  const { prefix, rules } = input;
  if (input.turn <= 1 || prefix.extends_previous === null) return 'first_turn';
  if (input.inputTokens < rules.minTokens) return 'below_minimum';
  if (prefix.extends_previous === false && !isCompactionBreak(prefix, input.afterCompaction)) {
    return 'harness_break';
  }
  if (input.observedCached === null || input.expectedCached === null) return 'unknown';
  const floor = input.expectedCached - hitTolerance(input.expectedCached, rules);
  return input.observedCached >= floor ? 'hit' : 'provider_miss';
}
