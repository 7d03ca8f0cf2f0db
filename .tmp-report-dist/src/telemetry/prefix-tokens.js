import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
const noSpecialTokens = { disallowedSpecial: new Set() };
/**
 * The real o200k tokenizer. Text that happens to contain special-token strings (a file that
 * mentions `<|endoftext|>`) is counted as ordinary text instead of throwing.
 */
export const countO200kTokens = (text) => countTokens(text, noSpecialTokens);
/** Entries kept per counter; a long batch run sees many distinct items, so the memo is bounded. */
const MEMO_CAPACITY = 200_000;
/** Map with least-recently-used eviction (a Map iterates in insertion order). */
class LruMap {
    capacity;
    map = new Map();
    constructor(capacity) {
        this.capacity = capacity;
    }
    get(key) {
        const value = this.map.get(key);
        if (value !== undefined) {
            this.map.delete(key);
            this.map.set(key, value);
        }
        return value;
    }
    set(key, value) {
        this.map.delete(key);
        this.map.set(key, value);
        if (this.map.size > this.capacity) {
            const oldest = this.map.keys().next();
            if (!oldest.done)
                this.map.delete(oldest.value);
        }
    }
}
const memos = new WeakMap();
/**
 * Token count of a prompt part, memoised by its content hash: a part seen before (the
 * unchanged history of a long conversation) is not tokenised again. `text` is only called on a miss.
 */
export function memoTokens(counter, hash, text) {
    let memo = memos.get(counter);
    if (!memo) {
        memo = new LruMap(MEMO_CAPACITY);
        memos.set(counter, memo);
    }
    const known = memo.get(hash);
    if (known !== undefined)
        return known;
    const count = counter(text());
    memo.set(hash, count);
    return count;
}
//# sourceMappingURL=prefix-tokens.js.map