import { WeightedLru } from '../util/lru.js';
import { decodeCompaction } from './codec.js';
const memo = new WeightedLru(10_000);
/** decodeCompaction, memoised: the same compaction item is resent on every later turn. */
export function readCompaction(content) {
    const hit = memo.peek(content);
    if (hit !== undefined)
        return hit;
    const state = decodeCompaction(content);
    memo.set(content, state);
    return state;
}
//# sourceMappingURL=memo.js.map