import { describe, expect, it } from 'vitest';
import { normaliseChatUsage, normaliseResponsesUsage } from '../../../src/model/index.js';

/** Responses API usage as `ResponseUsage` in the openai SDK's types shapes it. */
const responsesUsage = (details: Record<string, unknown>) => ({
  input_tokens: 5000,
  input_tokens_details: { cached_tokens: 3000, ...details },
  output_tokens: 200,
  output_tokens_details: { reasoning_tokens: 50 },
  total_tokens: 5200,
});

describe('usage normalisation: cache writes by retention', () => {
  it('keeps the 12-hour part of the writes when the Responses API gives the TTL breakdown', () => {
    const u = normaliseResponsesUsage(
      responsesUsage({
        cache_write_tokens: 2000,
        cache_write_tokens_details: { ttl_30m_tokens: 500, ttl_12h_tokens: 1500 },
      }),
    );
    expect(u).toEqual({
      inputTokens: 5000,
      cachedTokens: 3000,
      cacheWriteTokens: 2000,
      cacheWrite12hTokens: 1500,
      outputTokens: 200,
      reasoningTokens: 50,
    });
  });

  it('reports a zero 12-hour part as 0, not unknown', () => {
    const u = normaliseResponsesUsage(
      responsesUsage({
        cache_write_tokens: 2000,
        cache_write_tokens_details: { ttl_30m_tokens: 2000, ttl_12h_tokens: 0 },
      }),
    );
    expect(u.cacheWrite12hTokens).toBe(0);
  });

  it('leaves the 12-hour part unknown (null) when the breakdown is missing, never 0', () => {
    const withoutDetails = normaliseResponsesUsage(responsesUsage({ cache_write_tokens: 2000 }));
    expect(withoutDetails.cacheWriteTokens).toBe(2000);
    expect(withoutDetails.cacheWrite12hTokens).toBeNull();
    // a compatible server that names only the 30-minute bucket says nothing of the 12-hour one
    const only30m = normaliseResponsesUsage(
      responsesUsage({ cache_write_tokens: 2000, cache_write_tokens_details: { ttl_30m_tokens: 2000 } }),
    );
    expect(only30m.cacheWrite12hTokens).toBeNull();
    const noInputDetails = normaliseResponsesUsage({ input_tokens: 10, output_tokens: 1 });
    expect(noInputDetails.cacheWriteTokens).toBeNull();
    expect(noInputDetails.cacheWrite12hTokens).toBeNull();
  });

  it('takes the write total from the two buckets when only they are given', () => {
    const u = normaliseResponsesUsage(
      responsesUsage({ cache_write_tokens_details: { ttl_30m_tokens: 300, ttl_12h_tokens: 700 } }),
    );
    expect(u.cacheWriteTokens).toBe(1000);
    expect(u.cacheWrite12hTokens).toBe(700);
  });

  it('treats a 12-hour part larger than the total as an unknown split, keeping the rest of the usage', () => {
    const u = normaliseResponsesUsage(
      responsesUsage({
        cache_write_tokens: 100,
        cache_write_tokens_details: { ttl_30m_tokens: 0, ttl_12h_tokens: 400 },
      }),
    );
    expect(u.cacheWriteTokens).toBe(100);
    expect(u.cacheWrite12hTokens).toBeNull();
    expect(u.inputTokens).toBe(5000);
  });

  it('Chat Completions: its cache writes are kept; it gives no retention split, so the 12-hour part is null', () => {
    const u = normaliseChatUsage({
      prompt_tokens: 5000,
      completion_tokens: 200,
      total_tokens: 5200,
      prompt_tokens_details: { cached_tokens: 3000, cache_write_tokens: 2000 },
      completion_tokens_details: { reasoning_tokens: 50 },
    });
    expect(u.cachedTokens).toBe(3000);
    expect(u.cacheWriteTokens).toBe(2000);
    expect(u.cacheWrite12hTokens).toBeNull();
    // a server that does not report writes: unknown, not 0
    expect(normaliseChatUsage({ prompt_tokens: 10, completion_tokens: 1 }).cacheWriteTokens).toBeNull();
  });
});
