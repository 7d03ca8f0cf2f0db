import { AsyncLocalStorage } from 'node:async_hooks';
import OpenAI from 'openai';
import { errorStatus, retryAfterMs, withRetries } from './retry.js';
import type { CallOptions, ModelClient, ModelRequest, ModelResponse } from './types.js';

export interface ClientOptions {
  baseURL: string;
  apiKey: string;
  provider: string;
  /** Extra headers on every request (e.g. per-variant sim options). Never recorded. */
  headers?: Record<string, string>;
  requestTimeoutMs?: number;
  /** Responses API only: `websocket` sends each request as a `response.create` over a WebSocket. */
  transport?: 'http' | 'websocket';
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 600_000;

/** The request body size of the call in progress, filled in by the fetch the SDK uses. */
const wireMeter = new AsyncLocalStorage<{ bytes: number }>();

function bodyBytes(body: unknown): number {
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return body.byteLength;
  return 0;
}

/**
 * Counts the body the SDK really sends, so bytes-sent costs nothing extra: the SDK serialises
 * each request once, and a second `JSON.stringify` of a 100k-token history on every turn would
 * be pure overhead.
 */
const meteredFetch: typeof fetch = (input, init) => {
  if (init?.body != null) recordBytesSent(bodyBytes(init.body));
  return fetch(input, init);
};

/** The request in progress sent this many bytes (its last attempt's body or message counts). */
export function recordBytesSent(bytes: number): void {
  const meter = wireMeter.getStore();
  if (meter) meter.bytes = bytes;
}

/** One attempt, admitted first when the call has a limiter, which then hears how it went. */
async function admitted<T>(
  send: (signal: AbortSignal | undefined) => Promise<T>,
  call: CallOptions,
  ttftOf: (value: T) => number | null,
): Promise<T> {
  if (!call.admit) return send(call.signal);
  const admission = await call.admit(call.signal);
  const started = performance.now();
  try {
    const value = await send(call.signal);
    admission.done({ ok: true, latencyMs: performance.now() - started, ttftMs: ttftOf(value) });
    return value;
  } catch (error) {
    admission.done({ ok: false, status: errorStatus(error), retryAfterMs: retryAfterMs(error) });
    throw error;
  }
}

/** Runs `send` with retries and returns its result with the bytes of the (last) request body sent. */
export async function meteredWithRetries<T>(
  send: (signal: AbortSignal | undefined) => Promise<T>,
  call: CallOptions,
  ttftOf: (value: T) => number | null = () => null,
): Promise<{ value: T; retries: number; bytesSent: number }> {
  const meter = { bytes: 0 };
  const { value, retries } = await wireMeter.run(meter, () =>
    withRetries(() => admitted(send, call, ttftOf), { signal: call.signal, onRetry: call.onRetry }),
  );
  return { value, retries, bytesSent: meter.bytes };
}

export type OneAttempt = Omit<ModelResponse, 'bytesSent' | 'retries'>;

/**
 * What both API clients share: the SDK client (our retries, so each is recorded; the metered
 * fetch), and `respond` = build the body, stream one attempt, retry.
 */
export abstract class SdkModelClient<Body> implements ModelClient {
  abstract readonly api: ModelClient['api'];
  readonly provider: string;
  protected readonly client: OpenAI;

  constructor(opts: ClientOptions) {
    this.provider = opts.provider;
    this.client = new OpenAI({
      baseURL: opts.baseURL,
      apiKey: opts.apiKey,
      maxRetries: 0,
      timeout: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      defaultHeaders: opts.headers,
      fetch: meteredFetch,
    });
  }

  protected abstract body(req: ModelRequest): Body;
  protected abstract streamOnce(body: Body, signal: AbortSignal | undefined): Promise<OneAttempt>;

  /** Release what the client holds open (WebSocket connections); HTTP needs nothing. */
  close(): void {}

  async respond(req: ModelRequest, call: CallOptions = {}): Promise<ModelResponse> {
    const body = this.body(req);
    const { value, retries, bytesSent } = await meteredWithRetries(
      (signal) => this.streamOnce(body, signal),
      call,
      (attempt) => attempt.ttftMs,
    );
    return { ...value, bytesSent, retries };
  }
}
