import { WeightedLru } from '../util/lru.js';
import { type CompactionState, decodeCompaction } from './codec.js';

const memo = new WeightedLru<string, CompactionState | null>(10_000);

/** decodeCompaction, memoised: the same compaction item is resent on every later turn. */
export function readCompaction(content: string): CompactionState | null {
  const hit = memo.peek(content);
  if (hit !== undefined) return hit;
  const state = decodeCompaction(content);
  memo.set(content, state);
  return state;
}
