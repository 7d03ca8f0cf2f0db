import { encodeBoundedU32 } from '../../tokens/index.js';
import { WeightedLru } from '../../util/lru.js';

/**
 * o200k tokens with bounded work (src/tokens): a long run without whitespace or a megabyte of
 * text never blocks the server. Special-token markers inside user text count as plain text.
 */
export function encodeO200k(text: string): Uint32Array {
  return encodeBoundedU32(text);
}

interface Cached {
  tokens: Uint32Array;
  /** The cache's clock when this entry last moved to the most recently used end. */
  movedAt: number;
}

/**
 * o200k token arrays memoised by the exact text (a Map key is a content hash computed by V8),
 * so an item resent on every turn of a stateless conversation is tokenised once.
 * Bounded by total cached tokens; `enabled: false` gives the full re-tokenisation baseline.
 *
 * A hit moves the entry to the recent end only once it has aged past half the entries: moving it
 * is a Map delete plus set, and V8 Maps of thousands of entries pay dearly for that churn (60
 * reads of two hot texts such as `<|tool|>\n` cost 3.5 ms against 0.02 ms without it, issue 13).
 * An entry read at least that often is never the least recently used, so what is evicted hardly
 * changes, and the counts never do: this is a cache of a pure function.
 */
export class TokenCache {
  private readonly lru: WeightedLru<string, Cached>;
  private clock = 0;

  constructor(
    maxTokens = 20_000_000,
    private readonly enabled = true,
  ) {
    this.lru = new WeightedLru(maxTokens);
  }

  tokens(text: string): Uint32Array {
    if (!this.enabled) return encodeO200k(text);
    const hit = this.lru.peek(text);
    if (hit) {
      if (this.clock - hit.movedAt > this.lru.size / 2) {
        this.lru.get(text);
        hit.movedAt = ++this.clock;
      }
      return hit.tokens;
    }
    const tokens = encodeO200k(text);
    // weight: tokens plus the key's footprint (about 4 chars per token)
    this.lru.set(text, { tokens, movedAt: ++this.clock }, tokens.length + Math.ceil(text.length / 4) + 1);
    return tokens;
  }

  count(text: string): number {
    return this.tokens(text).length;
  }

  get cachedTexts(): number {
    return this.lru.size;
  }
}
