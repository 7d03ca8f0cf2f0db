import { APIConnectionError, InternalServerError, NotFoundError, RateLimitError } from 'openai';
import { describe, expect, it } from 'vitest';
import { isRetryable, responsesBody, retryAfterMs } from '../../../src/model/index.js';
import { createEvent, toApiError } from '../../../src/model/responses-socket.js';

type SocketError = Parameters<typeof toApiError>[0];

/** What the SDK's ResponsesWS reports: an error event (non-enumerable `error`) or a socket failure. */
function sdkError(message: string, event?: unknown, cause?: Error): SocketError {
  const error = new Error(message);
  Object.defineProperty(error, 'error', { value: event, enumerable: false });
  if (cause) Object.assign(error, { cause });
  return error as unknown as SocketError;
}

describe('createEvent', () => {
  it('is the HTTP body as a response.create event, without stream', () => {
    const body = responsesBody({
      model: 'm',
      instructions: 'i',
      tools: [],
      input: [{ role: 'user', content: 'x' }],
      store: false,
      parallelToolCalls: true,
    });
    const event = createEvent(body);
    const { stream: _stream, ...rest } = body;
    expect(event).toEqual({ type: 'response.create', ...rest });
    expect(Object.keys(event)[0]).toBe('type');
    expect('stream' in event).toBe(false);
  });
});

describe('toApiError', () => {
  it('turns a 429 error event into a RateLimitError that honours Retry-After', () => {
    const event = {
      type: 'error',
      status: 429,
      error: {
        type: 'requests',
        code: 'rate_limit_exceeded',
        message: 'slow down',
        param: null,
        headers: { 'retry-after': '2' },
      },
    };
    const err = toApiError(sdkError('slow down', event));
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err.code).toBe('rate_limit_exceeded');
    expect(isRetryable(err)).toBe(true);
    expect(retryAfterMs(err)).toBe(2000);
  });

  it('reads headers from the top level too (where Codex reads them)', () => {
    const event = {
      type: 'error',
      status: 503,
      headers: { 'retry-after-ms': '700' },
      error: { type: 'server_error', code: null, message: 'busy', param: null },
    };
    const err = toApiError(sdkError('busy', event));
    expect(err).toBeInstanceOf(InternalServerError);
    expect(retryAfterMs(err)).toBe(700);
  });

  it('maps a refused upgrade by its HTTP status, and any other socket failure to a connection error', () => {
    const refused = toApiError(sdkError('failed', undefined, new Error('Unexpected server response: 404')));
    expect(refused).toBeInstanceOf(NotFoundError);
    expect(isRetryable(refused)).toBe(false);
    const overloaded = toApiError(
      sdkError('failed', undefined, new Error('Unexpected server response: 502')),
    );
    expect(isRetryable(overloaded)).toBe(true);
    const reset = toApiError(sdkError('read ECONNRESET', undefined, new Error('read ECONNRESET')));
    expect(reset).toBeInstanceOf(APIConnectionError);
    expect(isRetryable(reset)).toBe(true);
  });
});
