import type { PromptItem } from '../../model/index.js';
import { outputItemsAsInput } from '../../telemetry/index.js';
import { type CompactionPolicy, leadingMessages, sendClosingItem } from './types.js';

const TRIGGER: PromptItem = { type: 'compaction_trigger' };

/**
 * Codex's newest way: once the last turn's input passed the threshold, send the history again
 * (same tools and instructions, so the prefix is read from cache) ending in a
 * `compaction_trigger` item; the response is one `compaction` item, which replaces everything
 * after the opening messages.
 */
export function triggerCompaction(threshold: number): CompactionPolicy {
  return {
    name: 'trigger',
    serverThreshold: undefined,
    async afterTurn({ items, lastInputTokens }, ctx) {
      if (lastInputTokens < threshold) return null;
      const response = await sendClosingItem(ctx, items, TRIGGER, 'compaction');
      const compaction = outputItemsAsInput(response.output).filter((item) => item.type === 'compaction');
      if (compaction.length === 0) throw new Error('trigger compaction: the response had no compaction item');
      const compacted = [...leadingMessages(items), ...compaction];
      return {
        method: 'trigger',
        items: compacted,
        tokensBefore: lastInputTokens,
        tokensAfter: ctx.countTokens(compacted),
        latencyMs: response.latencyMs,
        usage: response.usage,
      };
    },
  };
}
