import type OpenAI from 'openai';
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type {
  ResponseCreateParamsStreaming,
  ResponseStreamEvent,
  ResponsesClientEvent,
} from 'openai/resources/responses/responses';
import { ResponsesWS } from 'openai/resources/responses/ws';
import { StreamCutError } from './retry.js';

type StreamMessage = Awaited<ReturnType<ReturnType<ResponsesWS['stream']>['next']>>['value'];
type SdkWebSocketError = Extract<StreamMessage, { type: 'error' }>['error'];

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);
const OPEN = 1;

/**
 * The `response.create` client event for a request body: the same fields as `POST
 * /v1/responses` without `stream`, which is implicit over a WebSocket.
 */
export function createEvent(body: ResponseCreateParamsStreaming): ResponsesClientEvent.ResponseCreate {
  const { stream: _stream, stream_options: _options, ...rest } = body;
  return { type: 'response.create', ...rest };
}

/**
 * A server `error` event (or a failed handshake) as the SDK's own `APIError` with its status and
 * headers, so retries treat it exactly like the same status over HTTP (429 and 5xx retried,
 * Retry-After honoured, 4xx not).
 */
export function toApiError(err: SdkWebSocketError): APIError {
  const event = err.error;
  if (event && typeof event.status === 'number') {
    const loose = event as { headers?: Record<string, string> };
    const headers = new Headers(event.error.headers ?? loose.headers ?? {});
    return APIError.generate(event.status, { error: event.error }, event.error.message, headers);
  }
  // `ws` reports a refused upgrade as "Unexpected server response: <status>".
  const cause = (err as { cause?: unknown }).cause;
  const status = /Unexpected server response: (\d{3})/.exec(String((cause as Error)?.message))?.[1];
  if (status) return APIError.generate(Number(status), undefined, err.message, new Headers());
  return new APIConnectionError({ message: `websocket: ${err.message}`, cause: cause as Error | undefined });
}

/**
 * Responses API WebSocket connections for one client (the `openai` SDK's `ResponsesWS`). A
 * request takes an idle connection, or opens one, for its whole response and gives it back once
 * the response has finished; one that failed in any way is closed, never reused. So a variant's
 * concurrent samples each get their own connection and consecutive turns reuse them.
 */
export class ResponsesSocketPool {
  private readonly idle: ResponsesWS[] = [];
  private readonly all = new Set<ResponsesWS>();

  constructor(
    private readonly client: OpenAI,
    /** No event for this long fails the attempt (retryable, like a stalled HTTP stream). */
    private readonly idleTimeoutMs: number,
  ) {}

  private acquire(): ResponsesWS {
    for (let ws = this.idle.pop(); ws; ws = this.idle.pop()) {
      if (ws.socket.readyState === OPEN) return ws;
      this.drop(ws);
    }
    const ws = new ResponsesWS(this.client);
    // Errors between requests (the server closing an idle connection) must not go unhandled.
    ws.on('error', () => {});
    ws.on('close', () => this.drop(ws));
    this.all.add(ws);
    return ws;
  }

  private drop(ws: ResponsesWS): void {
    this.all.delete(ws);
    const at = this.idle.indexOf(ws);
    if (at !== -1) this.idle.splice(at, 1);
    if (ws.socket.readyState <= OPEN) ws.close({ code: 1000, reason: 'done' });
  }

  /**
   * Send one `response.create` and yield its events until the terminal one. `sent` is told the
   * byte size of the message exactly as handed to the socket (a text frame's payload).
   */
  async *stream(
    body: ResponseCreateParamsStreaming,
    signal: AbortSignal | undefined,
    sent: (bytes: number) => void,
  ): AsyncGenerator<ResponseStreamEvent> {
    if (signal?.aborted) throw new APIUserAbortError();
    const ws = this.acquire();
    const messages = ws.stream();
    let finished = false;
    const onAbort = () => ws.close({ code: 1000, reason: 'aborted' });
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const text = JSON.stringify(createEvent(body));
      sent(Buffer.byteLength(text));
      ws.sendRaw(text);
      while (!finished) {
        const next = await this.nextWithin(messages);
        if (signal?.aborted) throw new APIUserAbortError();
        if (next.done) throw new StreamCutError('websocket closed before response.completed');
        const message = next.value;
        if (message.type === 'error') throw toApiError(message.error);
        if (message.type === 'close') {
          throw new StreamCutError(`websocket closed (${message.code}) before response.completed`);
        }
        if (message.type === 'raw') throw new StreamCutError('unexpected binary websocket message');
        if (message.type !== 'message') continue;
        const event = message.message as ResponseStreamEvent;
        if (TERMINAL.has(event.type)) finished = true;
        yield event;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await messages.return?.();
      if (finished && ws.socket.readyState === OPEN) this.idle.push(ws);
      else this.drop(ws);
    }
  }

  private async nextWithin(
    messages: AsyncIterableIterator<StreamMessage>,
  ): Promise<IteratorResult<StreamMessage>> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new APIConnectionTimeoutError({ message: `websocket: no event for ${this.idleTimeoutMs} ms` }),
          ),
        this.idleTimeoutMs,
      );
    });
    try {
      return await Promise.race([messages.next(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Close every connection (the run is over). */
  close(): void {
    for (const ws of [...this.all]) this.drop(ws);
  }
}
