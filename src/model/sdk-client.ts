import { AsyncLocalStorage } from 'node:async_hooks';
import OpenAI from 'openai';
import { timerDelay } from '../config/bounds.js';
import { boundedAnswer } from './bounded-answer.js';
import { linkedAbort } from './linked-abort.js';
import { errorStatus, retryAfterMs, StreamStalledError, withRetries } from './retry.js';
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
 * The signal that cuts the streamed request in progress (see `readGuarded`), joined to the SDK's
 * own in the fetch. The SDK is not handed it: given a signal, the SDK composes it with its own
 * (AbortSignal.any) and reads the composite on every chunk, which measured ~45 us of CPU per
 * single-turn request (a bare SDK client with and without a signal, 6 interleaved rounds).
 */
const fetchCut = new AsyncLocalStorage<AbortSignal>();

/**
 * Counts the body the SDK really sends, so bytes-sent costs nothing extra: the SDK serialises
 * each request once, and a second `JSON.stringify` of a 100k-token history on every turn would
 * be pure overhead. The answer is read up to MAX_ANSWER_BYTES.
 */
const meteredFetch: typeof fetch = async (input, init) => {
  if (init?.body != null) recordBytesSent(bodyBytes(init.body));
  const cut = fetchCut.getStore();
  const request = cut ? { ...init, signal: linkedAbort([init?.signal ?? undefined, cut]).signal } : init;
  return boundedAnswer(await fetch(input, request));
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
  /** Until the response headers (the SDK's timeout), then again between stream events. */
  protected readonly requestTimeoutMs: number;

  constructor(opts: ClientOptions) {
    this.provider = opts.provider;
    this.requestTimeoutMs = timerDelay(opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
    this.client = new OpenAI({
      baseURL: opts.baseURL,
      apiKey: opts.apiKey,
      maxRetries: 0,
      timeout: this.requestTimeoutMs,
      defaultHeaders: opts.headers,
      fetch: meteredFetch,
    });
  }

  /**
   * Reads the events of a stream opened by `open`, handing each to `onEvent` as it arrives; fails
   * with a retryable StreamStalledError when none arrives for the request timeout: the SDK's own
   * timeout stops at the headers, so a stream that stalled after them would otherwise wait for the
   * sample's wall time. A callback, not an async generator around the SDK's stream: that layer
   * cost a promise and result objects per event (~5 KB allocated per single-turn request).
   */
  protected async readGuarded<E>(
    open: () => Promise<AsyncIterable<E>>,
    signal: AbortSignal | undefined,
    onEvent: (event: E) => void,
  ): Promise<void> {
    // The attempt's own signal: aborted by the caller or by the stall check.
    const attempt = linkedAbort([signal]);
    const seconds = this.requestTimeoutMs / 1000;
    let stalled: StreamStalledError | null = null;
    let lastEvent = performance.now();
    // One timer, re-armed for what is left when it fires, instead of a new timer per event.
    const check = () => {
      const left = this.requestTimeoutMs - (performance.now() - lastEvent);
      if (left > 0) {
        timer = setTimeout(check, left);
        return;
      }
      stalled = new StreamStalledError(`no stream event for ${seconds}s (request_timeout_s); retrying`);
      attempt.abort(stalled);
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      // The SDK's fetch takes the attempt's signal from here (see fetchCut).
      const stream = await fetchCut.run(attempt.signal, open);
      // From the headers on (the SDK's own timeout covers the wait for them).
      lastEvent = performance.now();
      timer = setTimeout(check, this.requestTimeoutMs);
      for await (const event of stream) {
        lastEvent = performance.now();
        onEvent(event);
      }
      // The SDK ends an aborted stream quietly; say why it ended.
      if (stalled) throw stalled;
    } catch (error) {
      if (stalled) throw stalled;
      throw error;
    } finally {
      clearTimeout(timer);
      attempt.unlink();
    }
  }

  /** A whole non-streamed request (headers and body) within the request timeout. */
  protected requestSignal(signal: AbortSignal | undefined): AbortSignal {
    const deadline = AbortSignal.timeout(this.requestTimeoutMs);
    return signal ? AbortSignal.any([signal, deadline]) : deadline;
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
