import { WeightedLru } from '../util/lru.js';
/** Fingerprints by response id, bounded by the number of boundaries kept. */
export class FingerprintStore {
    lru = new WeightedLru(4_000_000);
    remember(responseId, fp) {
        this.lru.set(responseId, fp, fp.boundaries.length + 1);
    }
    get(responseId) {
        return this.lru.peek(responseId);
    }
}
function lastToolBoundary(fp) {
    let count = 0;
    let hash = null;
    for (const b of fp.boundaries) {
        if (b.kind !== 'tool')
            break;
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
export function compareFingerprints(prev, cur) {
    const miss = (reason, reusable = 0) => ({
        type: 'cache_miss',
        reason,
        cache_missed_tokens: cur.totalTokens - reusable,
        comparison_reusable_tokens: reusable,
    });
    if (prev.model !== cur.model)
        return miss('model_changed');
    if (prev.promptCacheKey !== cur.promptCacheKey)
        return miss('prompt_cache_key_changed');
    if (prev.reasoningEffort !== cur.reasoningEffort)
        return miss('reasoning_effort_changed');
    if (prev.textFormat !== cur.textFormat)
        return miss('text_format_changed');
    if (prev.verbosity !== cur.verbosity)
        return miss('verbosity_changed');
    if (prev.serviceTier !== cur.serviceTier)
        return miss('service_tier_changed');
    const pt = lastToolBoundary(prev);
    const ct = lastToolBoundary(cur);
    if (pt.count !== ct.count || pt.hash !== ct.hash)
        return miss('tools_changed');
    const n = Math.min(prev.boundaries.length, cur.boundaries.length);
    let i = 0;
    while (i < n && prev.boundaries[i]?.hash === cur.boundaries[i]?.hash)
        i++;
    if (i === prev.boundaries.length)
        return { type: 'cache_hit' };
    const reusable = i > 0 ? (cur.boundaries[i - 1]?.end ?? 0) : 0;
    const compacted = cur.boundaries.slice(i).some((b) => b.compaction);
    return miss(compacted ? 'context_compacted' : 'input_changed', reusable);
}
//# sourceMappingURL=diagnostics.js.map