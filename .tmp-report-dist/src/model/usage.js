import { z } from 'zod';
/**
 * Usage from the wire is validated loosely: compatible servers omit fields, and a missing
 * field must become `null` (unknown), never 0.
 */
const count = z.number().int().min(0);
const ResponsesUsageSchema = z.object({
    input_tokens: count,
    output_tokens: count,
    input_tokens_details: z
        .object({ cached_tokens: count.nullish(), cache_write_tokens: count.nullish() })
        .partial()
        .nullish(),
    output_tokens_details: z.object({ reasoning_tokens: count.nullish() }).partial().nullish(),
});
const ChatUsageSchema = z.object({
    prompt_tokens: count,
    completion_tokens: count,
    prompt_tokens_details: z.object({ cached_tokens: count.nullish() }).partial().nullish(),
    completion_tokens_details: z.object({ reasoning_tokens: count.nullish() }).partial().nullish(),
});
export class UsageError extends Error {
}
function describe(error) {
    const issue = error.issues[0];
    return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
}
export function normaliseResponsesUsage(raw) {
    const parsed = ResponsesUsageSchema.safeParse(raw);
    if (!parsed.success)
        throw new UsageError(`malformed usage from provider: ${describe(parsed.error)}`);
    const u = parsed.data;
    return {
        inputTokens: u.input_tokens,
        cachedTokens: u.input_tokens_details?.cached_tokens ?? null,
        cacheWriteTokens: u.input_tokens_details?.cache_write_tokens ?? null,
        outputTokens: u.output_tokens,
        reasoningTokens: u.output_tokens_details?.reasoning_tokens ?? null,
    };
}
export function normaliseChatUsage(raw) {
    const parsed = ChatUsageSchema.safeParse(raw);
    if (!parsed.success)
        throw new UsageError(`malformed usage from provider: ${describe(parsed.error)}`);
    const u = parsed.data;
    return {
        inputTokens: u.prompt_tokens,
        cachedTokens: u.prompt_tokens_details?.cached_tokens ?? null,
        cacheWriteTokens: null,
        outputTokens: u.completion_tokens,
        reasoningTokens: u.completion_tokens_details?.reasoning_tokens ?? null,
    };
}
export const ZERO_USAGE = {
    inputTokens: 0,
    cachedTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
};
//# sourceMappingURL=usage.js.map