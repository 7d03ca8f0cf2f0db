import { APIConnectionError, APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { isRetryable, retryAfterMs, StreamCutError, withRetries } from '../../../src/model/index.js';

const apiError = (status: number, headers: Record<string, string> = {}) =>
  APIError.generate(
    status,
    { error: { message: `status ${status}` } },
    `status ${status}`,
    new Headers(headers),
  );

describe('retry classification', () => {
  it('retries rate limits, server errors and dropped or cut connections', () => {
    expect(isRetryable(apiError(429))).toBe(true);
    expect(isRetryable(apiError(500))).toBe(true);
    expect(isRetryable(apiError(503))).toBe(true);
    expect(isRetryable(new StreamCutError('cut'))).toBe(true);
    expect(isRetryable(new APIConnectionError({ message: 'reset' }))).toBe(true);
    // undici's error for a response body cut mid-stream
    expect(
      isRetryable(
        new TypeError('terminated', {
          cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
        }),
      ),
    ).toBe(true);
  });

  it('does not retry client errors or programming errors', () => {
    expect(isRetryable(apiError(400))).toBe(false);
    expect(isRetryable(apiError(401))).toBe(false);
    expect(isRetryable(apiError(404))).toBe(false);
    expect(isRetryable(new TypeError('x is not a function'))).toBe(false);
  });

  it('reads Retry-After in seconds, as a date, and retry-after-ms', () => {
    expect(retryAfterMs(apiError(429, { 'retry-after': '2' }))).toBe(2000);
    expect(retryAfterMs(apiError(429, { 'retry-after-ms': '150' }))).toBe(150);
    const now = Date.parse('2026-11-26T00:00:00Z');
    expect(retryAfterMs(apiError(429, { 'retry-after': 'Thu, 26 Nov 2026 00:00:03 GMT' }), now)).toBe(3000);
    expect(retryAfterMs(apiError(500))).toBeNull();
  });

  it('reports each retry and gives up at once on a non-retryable error', async () => {
    const notices: number[] = [];
    let calls = 0;
    const { value, retries } = await withRetries(
      async () => {
        calls += 1;
        if (calls < 3) throw apiError(503);
        return 'ok';
      },
      {
        policy: { retries: 5, minDelayMs: 1, maxDelayMs: 2, maxTotalMs: 10_000 },
        onRetry: (n) => notices.push(n.status ?? 0),
      },
    );
    expect(value).toBe('ok');
    expect(retries).toBe(2);
    expect(notices).toEqual([503, 503]);

    let attempts = 0;
    await expect(
      withRetries(
        async () => {
          attempts += 1;
          throw apiError(400);
        },
        { policy: { retries: 5, minDelayMs: 1, maxDelayMs: 2, maxTotalMs: 10_000 } },
      ),
    ).rejects.toThrow('status 400');
    expect(attempts).toBe(1);
  });
});
