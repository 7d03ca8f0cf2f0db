/**
 * Server-side compaction: the request carries `context_management`, and when the provider
 * compacts it returns a `compaction` output item. Everything before that item except the
 * opening messages is then dropped from the history we resend.
 */
export function serverCompaction(threshold) {
    return {
        name: 'server',
        serverThreshold: threshold,
        async afterTurn({ items, lastOutput, lastInputTokens }, ctx) {
            if (!lastOutput.some((item) => item.type === 'compaction'))
                return null;
            const at = items.findLastIndex((item) => item.type === 'compaction');
            if (at === -1)
                return null;
            const opening = [];
            for (const item of items.slice(0, at)) {
                if (item.type === 'message' && 'role' in item && item.role !== 'assistant')
                    opening.push(item);
                else if (!('type' in item) && 'role' in item && item.role !== 'assistant')
                    opening.push(item);
            }
            const compacted = [...opening, ...items.slice(at)];
            return {
                method: 'server',
                items: compacted,
                tokensBefore: lastInputTokens,
                tokensAfter: ctx.countTokens(compacted),
                latencyMs: 0,
                usage: null,
            };
        },
    };
}
//# sourceMappingURL=server.js.map