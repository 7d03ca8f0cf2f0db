import { cacheRulesFor, classifyTurn, expectedCachedTokens } from './cache-class.js';
import { hashList } from './hash.js';
import { checkPrefix, fingerprintOutput, fingerprintRequest, } from './prefix.js';
import { countO200kTokens } from './prefix-tokens.js';
/**
 * Per-sample cache forensics for the agent's own requests: prefix check against the previous
 * request + output, expected cached tokens and the turn's class. One instance per sample; feed it
 * agent turns only (compaction/summary requests have a prompt of their own).
 */
export class CacheForensics {
    countTokens;
    rules;
    previous = null;
    constructor(opts = {}) {
        this.countTokens = opts.countTokens ?? countO200kTokens;
        this.rules = opts.rules;
    }
    turn(input) {
        const rules = this.rules ?? cacheRulesFor(input.request.model);
        const fingerprint = fingerprintRequest(input.request, this.countTokens);
        const prev = this.previous;
        const raw = checkPrefix(prev, fingerprint, { compactedSincePrevious: input.afterCompaction });
        const prefix = prev ? calibrateLost(raw, prev.fingerprint, prev.inputTokens) : raw;
        const expected = expectedCachedTokens(raw, prev ? { fingerprint: prev.fingerprint, inputTokens: prev.inputTokens } : null, { fingerprint, inputTokens: input.inputTokens }, rules);
        const cacheClass = classifyTurn({
            turn: input.turn,
            prefix,
            expectedCached: expected,
            observedCached: input.cachedTokens,
            inputTokens: input.inputTokens,
            afterCompaction: input.afterCompaction,
            rules,
        });
        this.previous = {
            fingerprint,
            ...fingerprintOutput(input.outputAsInput, this.countTokens),
            inputTokens: input.inputTokens,
        };
        return {
            fingerprint,
            instructions_hash: fingerprint.instructionsHash,
            tools_hash: fingerprint.toolsHash,
            items_hash: hashList(fingerprint.itemHashes),
            item_count: fingerprint.itemHashes.length,
            prefix,
            expected_cached_tokens: expected,
            cache_class: cacheClass,
        };
    }
}
/** Scale estimated lost tokens by (provider's previous input_tokens / our estimate of that prompt). */
function calibrateLost(prefix, prev, prevInputTokens) {
    if (prefix.lost_tokens === null || prefix.lost_tokens === 0 || prevInputTokens === null)
        return prefix;
    let estimate = prev.prefixTokens;
    for (const tokens of prev.itemTokens)
        estimate += tokens;
    if (estimate <= 0)
        return prefix;
    return { ...prefix, lost_tokens: Math.round((prefix.lost_tokens * prevInputTokens) / estimate) };
}
//# sourceMappingURL=prefix-tracker.js.map