export function emptyTotals() {
    return {
        turns: 0,
        inputTokens: 0,
        cachedTokens: 0,
        cacheWriteTokens: 0,
        outputTokens: 0,
        reasoningTokens: 0,
        bytesSent: 0,
        toolCalls: 0,
        toolErrors: 0,
        compactions: 0,
        cacheBreaks: 0,
        costUsd: 0,
    };
}
const addKnown = (total, value) => total === null || value === null ? null : total + value;
export function addUsage(totals, response, costUsd) {
    const u = response.usage;
    totals.turns += 1;
    totals.inputTokens += u.inputTokens;
    totals.cachedTokens = addKnown(totals.cachedTokens, u.cachedTokens);
    totals.cacheWriteTokens = addKnown(totals.cacheWriteTokens, u.cacheWriteTokens);
    totals.outputTokens += u.outputTokens;
    totals.reasoningTokens = addKnown(totals.reasoningTokens, u.reasoningTokens);
    totals.bytesSent += response.bytesSent;
    totals.costUsd = addKnown(totals.costUsd, costUsd);
}
//# sourceMappingURL=totals.js.map