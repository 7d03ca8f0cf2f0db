import { WeightedLru } from '../../util/lru.js';
import type { Boundary } from '../prompt/analyse.js';

/** What the sim remembers of a response's prompt to explain a later cache miss. */
export interface PromptFingerprint {
  model: string;
  promptCacheKey: string | null;
  reasoningEffort: string | null;
  textFormat: string | null;
  verbosity: string | null;
  serviceTier: string | null;
  boundaries: Boundary[];
  totalTokens: number;
}

export type MissReason =
  | 'model_changed'
  | 'prompt_cache_key_changed'
  | 'tools_changed'
  | 'text_format_changed'
  | 'reasoning_effort_changed'
  | 'verbosity_changed'
  | 'context_compacted'
  | 'input_changed'
  | 'service_tier_changed';

export type CacheDiagnostics =
  | { type: 'cache_hit' }
  | {
      type: 'cache_miss';
      reason: MissReason;
      cache_missed_tokens: number;
      comparison_reusable_tokens: number;
    }
  | { type: 'comparison_response_not_found' };

/** Fingerprints by response id, bounded by the number of boundaries kept. */
export class FingerprintStore {
  private readonly lru = new WeightedLru<string, PromptFingerprint>(4_000_000);

  remember(responseId: string, fp: PromptFingerprint): void {
    this.lru.set(responseId, fp, fp.boundaries.length + 1);
  }

  get(responseId: string): PromptFingerprint | undefined {
    return this.lru.peek(responseId);
  }
}

function lastToolBoundary(fp: PromptFingerprint): { count: number; hash: number | null } {
  let count = 0;
  let hash: number | null = null;
  for (const b of fp.boundaries) {
    if (b.kind !== 'tool') break;
    count++;
    hash = b.hash;
  }
  return { count, hash };
}

/**
 * Compare a request with the prompt of an earlier response, as the real
 * `prompt_cache_diagnostics` does: settings first, then tools, then the first diverging item.
 * A hit means the new prompt extends the earlier one (its cache is reusable).
 */
export function compareFingerprints(prev: PromptFingerprint, cur: PromptFingerprint): CacheDiagnostics {
  const miss = (reason: MissReason, reusable = 0): CacheDiagnostics => ({
    type: 'cache_miss',
    reason,
    cache_missed_tokens: cur.totalTokens - reusable,
    comparison_reusable_tokens: reusable,
  });
  if (prev.model !== cur.model) return miss('model_changed');
  if (prev.promptCacheKey !== cur.promptCacheKey) return miss('prompt_cache_key_changed');
  if (prev.reasoningEffort !== cur.reasoningEffort) return miss('reasoning_effort_changed');
  if (prev.textFormat !== cur.textFormat) return miss('text_format_changed');
  if (prev.verbosity !== cur.verbosity) return miss('verbosity_changed');
  if (prev.serviceTier !== cur.serviceTier) return miss('service_tier_changed');
  const pt = lastToolBoundary(prev);
  const ct = lastToolBoundary(cur);
  if (pt.count !== ct.count || pt.hash !== ct.hash) return miss('tools_changed');

  const n = Math.min(prev.boundaries.length, cur.boundaries.length);
  let i = 0;
  while (i < n && prev.boundaries[i]?.hash === cur.boundaries[i]?.hash) i++;
  if (i === prev.boundaries.length) return { type: 'cache_hit' };
  const reusable = i > 0 ? (cur.boundaries[i - 1]?.end ?? 0) : 0;
  const compacted = cur.boundaries.slice(i).some((b) => b.compaction);
  return miss(compacted ? 'context_compacted' : 'input_changed', reusable);
}
