import { encodeBounded } from '../../tokens/index.js';
import { WeightedLru } from '../util/lru.js';

/**
 * o200k tokens with bounded work (src/tokens): a long run without whitespace or a megabyte of
 * text never blocks the server. Special-token markers inside user text count as plain text.
 */
export function encodeO200k(text: string): Uint32Array {
  return Uint32Array.from(encodeBounded(text));
}

/**
 * o200k token arrays memoised by the exact text (a Map key is a content hash computed by V8),
 * so an item resent on every turn of a stateless conversation is tokenised once.
 * Bounded by total cached tokens; `enabled: false` gives the full re-tokenisation baseline.
 */
export class TokenCache {
  private readonly lru: WeightedLru<string, Uint32Array>;

  constructor(
    maxTokens = 20_000_000,
    private readonly enabled = true,
  ) {
    this.lru = new WeightedLru(maxTokens);
  }

  tokens(text: string): Uint32Array {
    if (!this.enabled) return encodeO200k(text);
    const hit = this.lru.get(text);
    if (hit) return hit;
    const tokens = encodeO200k(text);
    // weight: tokens plus the key's footprint (about 4 chars per token)
    this.lru.set(text, tokens, tokens.length + Math.ceil(text.length / 4) + 1);
    return tokens;
  }

  count(text: string): number {
    return this.tokens(text).length;
  }

  get cachedTexts(): number {
    return this.lru.size;
  }
}
