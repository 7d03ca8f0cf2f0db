import type { PromptItem } from '../../model/index.js';
import type { CompactionPolicy } from './types.js';

export const DROPPED_OUTPUT = '[output dropped to save context]';

/** Replace the oldest tool outputs until the history is back under half the threshold. */
export function truncateCompaction(threshold: number): CompactionPolicy {
  return {
    name: 'truncate',
    serverThreshold: undefined,
    async afterTurn({ items, lastInputTokens }, ctx) {
      if (lastInputTokens < threshold) return null;
      const target = Math.floor(threshold / 2);
      const next: PromptItem[] = [...items];
      let estimate = ctx.countTokens(next);
      for (let i = 0; i < next.length && estimate > target; i++) {
        const item = next[i]!;
        const isOutput = item.type === 'function_call_output' || item.type === 'custom_tool_call_output';
        if (!isOutput || item.output === DROPPED_OUTPUT) continue;
        const dropped = { ...item, output: DROPPED_OUTPUT };
        // adjust by the one item that changed instead of recounting the whole history
        estimate += ctx.countTokens([dropped]) - ctx.countTokens([item]);
        next[i] = dropped;
      }
      return {
        method: 'truncate',
        items: next,
        tokensBefore: lastInputTokens,
        tokensAfter: estimate,
        latencyMs: 0,
        usage: null,
      };
    },
  };
}
