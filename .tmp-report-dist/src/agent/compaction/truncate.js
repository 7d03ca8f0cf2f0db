export const DROPPED_OUTPUT = '[output dropped to save context]';
/** Replace the oldest tool outputs until the history is back under half the threshold. */
export function truncateCompaction(threshold) {
    return {
        name: 'truncate',
        serverThreshold: undefined,
        async afterTurn({ items, lastInputTokens }, ctx) {
            if (lastInputTokens < threshold)
                return null;
            const target = Math.floor(threshold / 2);
            const next = [...items];
            let estimate = ctx.countTokens(next);
            for (let i = 0; i < next.length && estimate > target; i++) {
                const item = next[i];
                if (item.type !== 'function_call_output' || item.output === DROPPED_OUTPUT)
                    continue;
                next[i] = { ...item, output: DROPPED_OUTPUT };
                estimate = ctx.countTokens(next);
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
//# sourceMappingURL=truncate.js.map