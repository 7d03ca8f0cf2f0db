import OpenAI from 'openai';
import { withRetries } from './retry.js';
import type { CallOptions, ModelResponse } from './types.js';

export interface ClientOptions {
  baseURL: string;
  apiKey: string;
  provider: string;
  /** Extra headers on every request (e.g. per-variant sim options). Never recorded. */
  headers?: Record<string, string>;
  requestTimeoutMs?: number;
}

export function openAIClient(opts: ClientOptions): OpenAI {
  return new OpenAI({
    baseURL: opts.baseURL,
    apiKey: opts.apiKey,
    maxRetries: 0, // retries are ours, so each one is recorded as an event
    timeout: opts.requestTimeoutMs ?? 600_000,
    defaultHeaders: opts.headers,
  });
}

export type OneAttempt = Omit<ModelResponse, 'bytesSent' | 'retries'>;

/** Send one request body with retries; bytes sent is the body's JSON size, as the SDK serialises it. */
export async function sendWithRetries<B>(
  body: B,
  attempt: (body: B, signal: AbortSignal | undefined) => Promise<OneAttempt>,
  call: CallOptions,
): Promise<ModelResponse> {
  const bytesSent = Buffer.byteLength(JSON.stringify(body));
  const { value, retries } = await withRetries(() => attempt(body, call.signal), {
    signal: call.signal,
    onRetry: call.onRetry,
  });
  return { ...value, bytesSent, retries };
}
