import type { CompactionPolicy } from './types.js';

/** `POST /responses/compact` once the last turn's input passed the threshold. */
export function endpointCompaction(threshold: number): CompactionPolicy {
  return {
    name: 'endpoint',
    serverThreshold: undefined,
    async afterTurn({ items, lastInputTokens }, ctx) {
      if (lastInputTokens < threshold) return null;
      if (!ctx.model.compact) {
        throw new Error(
          `compaction policy "endpoint" needs a provider with responses.compact (${ctx.model.provider} has none)`,
        );
      }
      const response = await ctx.model.compact(
        {
          model: ctx.request.model,
          instructions: ctx.request.instructions,
          input: items,
          ...(ctx.request.promptCacheKey ? { promptCacheKey: ctx.request.promptCacheKey } : {}),
        },
        { signal: ctx.signal },
      );
      ctx.recordRequest('compaction', {
        response: { ...response, ttftMs: null, retries: 0 },
        itemCount: items.length,
      });
      return {
        method: 'endpoint',
        items: response.output,
        tokensBefore: lastInputTokens,
        tokensAfter: ctx.countTokens(response.output),
        latencyMs: response.latencyMs,
        usage: response.usage,
      };
    },
  };
}
