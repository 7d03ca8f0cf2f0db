import type { SimLatencyOptions } from './behaviour/options.js';

/** Named latency models for `turnbench sim --latency <preset>`. */
export const LATENCY_PRESETS: Record<string, SimLatencyOptions | undefined> = {
  off: undefined,
  fast: {
    ttft_ms: 20,
    prefill_tokens_per_s: 50_000,
    cached_prefill_tokens_per_s: 500_000,
    decode_tokens_per_s: 1000,
  },
  realistic: {
    ttft_ms: 300,
    prefill_tokens_per_s: 5_000,
    cached_prefill_tokens_per_s: 50_000,
    decode_tokens_per_s: 80,
    jitter: 0.2,
  },
};
