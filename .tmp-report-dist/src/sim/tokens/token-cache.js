import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { WeightedLru } from '../util/lru.js';
const PLAIN_TEXT = { allowedSpecial: new Set(), disallowedSpecial: new Set() };
export function encodeO200k(text) {
    // Special-token markers inside user text are counted as plain text, never rejected.
    return Uint32Array.from(encode(text, PLAIN_TEXT));
}
/**
 * o200k token arrays memoised by the exact text (a Map key is a content hash computed by V8),
 * so an item resent on every turn of a stateless conversation is tokenised once.
 * Bounded by total cached tokens; `enabled: false` gives the full re-tokenisation baseline.
 */
export class TokenCache {
    enabled;
    lru;
    constructor(maxTokens = 20_000_000, enabled = true) {
        this.enabled = enabled;
        this.lru = new WeightedLru(maxTokens);
    }
    tokens(text) {
        if (!this.enabled)
            return encodeO200k(text);
        const hit = this.lru.get(text);
        if (hit)
            return hit;
        const tokens = encodeO200k(text);
        // weight: tokens plus the key's footprint (about 4 chars per token)
        this.lru.set(text, tokens, tokens.length + Math.ceil(text.length / 4) + 1);
        return tokens;
    }
    count(text) {
        return this.tokens(text).length;
    }
    get cachedTexts() {
        return this.lru.size;
    }
}
//# sourceMappingURL=token-cache.js.map