export const ZERO_LATENCY = { ttftMs: 0, perOutputTokenMs: 0 };
/**
 * Time to first token from a base plus uncached and cached prefill rates, decode time per
 * output token, each scaled by a jitter factor in [1 - jitter, 1 + jitter].
 */
export function planLatency(latency, inputTokens, cachedTokens, rng) {
    if (!latency)
        return ZERO_LATENCY;
    const jitter = () => 1 + latency.jitter * (2 * rng() - 1);
    const uncached = inputTokens - cachedTokens;
    let ttft = latency.ttft_ms;
    if (latency.prefill_tokens_per_s)
        ttft += (uncached / latency.prefill_tokens_per_s) * 1000;
    if (latency.cached_prefill_tokens_per_s)
        ttft += (cachedTokens / latency.cached_prefill_tokens_per_s) * 1000;
    const perToken = latency.decode_tokens_per_s ? 1000 / latency.decode_tokens_per_s : 0;
    return { ttftMs: Math.max(0, ttft * jitter()), perOutputTokenMs: Math.max(0, perToken * jitter()) };
}
//# sourceMappingURL=latency.js.map