import { countBounded } from '../tokens/index.js';

export type TokenCounter = (text: string) => number;

/**
 * The o200k tokenizer with bounded work (see src/tokens): exact for ordinary text, near-exact
 * for long runs without whitespace, estimated past 64k characters. Special-token strings (a
 * file that mentions `<|endoftext|>`) are counted as ordinary text instead of throwing.
 */
export const countO200kTokens: TokenCounter = countBounded;

/** Entries kept per counter; a long batch run sees many distinct items, so the memo is bounded. */
const MEMO_CAPACITY = 200_000;

/** Map with least-recently-used eviction (a Map iterates in insertion order). */
class LruMap<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
  }
}

/**
 * Token counts of prompt parts by content hash, at most `capacity` of them (least recently used
 * dropped). A reader that sees each item once (a session log) keeps a small one of its own, so its
 * memory does not grow with the log; everything else shares the process-wide one of `memoTokens`.
 */
export class TokenMemo {
  private readonly counts: LruMap<number>;
  constructor(capacity: number) {
    this.counts = new LruMap<number>(capacity);
  }

  /** The count of the part with this hash; `text` is only called on a miss. */
  count(counter: TokenCounter, hash: string, text: () => string): number {
    const known = this.counts.get(hash);
    if (known !== undefined) return known;
    const count = counter(text());
    this.counts.set(hash, count);
    return count;
  }
}

const memos = new WeakMap<TokenCounter, TokenMemo>();

/**
 * Token count of a prompt part, memoised by its content hash: a part seen before (the
 * unchanged history of a long conversation) is not tokenised again. `text` is only called on a miss.
 */
export function memoTokens(counter: TokenCounter, hash: string, text: () => string): number {
  let memo = memos.get(counter);
  if (!memo) {
    memo = new TokenMemo(MEMO_CAPACITY);
    memos.set(counter, memo);
  }
  return memo.count(counter, hash, text);
}
