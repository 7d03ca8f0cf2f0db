import { APIConnectionError, APIError } from 'openai';
import pRetry, { AbortError } from 'p-retry';
import type { RetryNotice } from './types.js';

export interface RetryPolicy {
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
  /** Give up when the next attempt would start later than this after the first. */
  maxTotalMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 6,
  minDelayMs: 250,
  maxDelayMs: 20_000,
  maxTotalMs: 120_000,
};

/** Raised for a stream that ended without `response.completed`; retryable. */
export class StreamCutError extends Error {
  override name = 'StreamCutError';
}

/** Raised for a stream that sent nothing for the request timeout after its headers; retryable. */
export class StreamStalledError extends StreamCutError {
  override name = 'StreamStalledError';
}

export function errorStatus(error: unknown): number | null {
  return error instanceof APIError && typeof error.status === 'number' ? error.status : null;
}

const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/**
 * A dropped connection or a body stream cut mid-response: undici reports the latter as a
 * `TypeError: terminated` whose cause is the socket error, so the cause chain is walked.
 */
function isConnectionFailure(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof APIConnectionError || e instanceof StreamCutError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && RETRYABLE_CODES.has(code)) return true;
    if (e instanceof TypeError && e.message === 'terminated') return true;
  }
  return false;
}

export function isRetryable(error: unknown): boolean {
  const status = errorStatus(error);
  if (status !== null) return status === 408 || status === 409 || status === 429 || status >= 500;
  return isConnectionFailure(error);
}

/** Retry-After (seconds or HTTP date) or retry-after-ms, in milliseconds. */
export function retryAfterMs(error: unknown, now = Date.now()): number | null {
  if (!(error instanceof APIError) || !error.headers) return null;
  const ms = error.headers.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = error.headers.get('retry-after');
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Exponential backoff with jitter (p-retry), plus the server's Retry-After when it asks
 * for longer than the backoff would wait. Non-retryable errors fail at once.
 */
export async function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  opts: { policy?: RetryPolicy; signal?: AbortSignal; onRetry?: (n: RetryNotice) => void },
): Promise<{ value: T; retries: number }> {
  const policy = opts.policy ?? DEFAULT_RETRY_POLICY;
  let retries = 0;
  const value = await pRetry(
    async (n) => {
      try {
        return await attempt(n);
      } catch (error) {
        if (opts.signal?.aborted || !isRetryable(error)) {
          throw new AbortError(error instanceof Error ? error : new Error(String(error)));
        }
        throw error;
      }
    },
    {
      retries: policy.retries,
      minTimeout: policy.minDelayMs,
      maxTimeout: policy.maxDelayMs,
      maxRetryTime: policy.maxTotalMs,
      randomize: true,
      signal: opts.signal,
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft, retryDelay }) => {
        if (retriesLeft <= 0) return;
        retries += 1;
        const serverDelay = retryAfterMs(error);
        const extra = serverDelay !== null && serverDelay > retryDelay ? serverDelay - retryDelay : 0;
        opts.onRetry?.({
          attempt: attemptNumber,
          delayMs: retryDelay + extra,
          status: errorStatus(error),
          message: error.message,
        });
        if (extra > 0) await sleep(Math.min(extra, policy.maxDelayMs), opts.signal);
      },
    },
  );
  return { value, retries };
}
