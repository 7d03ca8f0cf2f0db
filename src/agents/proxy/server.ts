import { unlink } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { APIError } from 'openai';
import { type AttemptOutcome, linkedAbort, withRetries } from '../../model/index.js';
import { redact, registerSecret } from '../../secrets/index.js';
import type { ObservedApi } from './observed-request.js';
import { plainHeaders, type RawRequest } from './read-request.js';
import { redactedAnswer } from './redacted-answer.js';
import { AgentRequestBody, type OutgoingBody, wholeBody } from './request-body.js';
import { deferredFeed, responseOf, tapFor } from './response-tap.js';
import type { Exchange, ExchangeRecorder } from './sample-recorder.js';
import { MAX_BODY_BYTES, MAX_CONNECTIONS_PER_SAMPLE } from './size-limits.js';
import { downstreamHeaders, type UpstreamEndpoint, upstreamHeaders, upstreamUrl } from './upstream.js';
import { type UpstreamAnswer, UpstreamClient } from './upstream-client.js';
import { relayWebSocket } from './ws-relay.js';

/**
 * Runs one request within its endpoint's budgets (`--requests/--rpm/--tpm`): `estimate` is asked
 * only under a token budget, `send` reports the tokens the request used.
 */
export type RequestGate = <T>(
  estimate: () => number,
  signal: AbortSignal | undefined,
  send: () => Promise<{ value: T; tokens: number | null; outcome: AttemptOutcome }>,
) => Promise<T>;

/** A request as the record reads it; `fresh`: its body is a buffer no socket wrote from (it may be moved, not copied). */
interface ReadRequest {
  raw: RawRequest;
  fresh: boolean;
}

/** How a forwarded request went: its tokens (for a token budget) and its outcome (for adaptive concurrency). */
interface Forwarded {
  tokens: number | null;
  outcome: AttemptOutcome;
}

/** What the proxy needs to serve one sample: where to forward, and where to record. */
export interface SampleChannel {
  upstream: UpstreamEndpoint;
  recorder: ExchangeRecorder;
  /** Who retries failed requests: the agent (the proxy passes failures through) or the proxy. */
  retries: 'agent' | 'proxy';
  /** Aborted when the sample ends: requests still in flight are cut. */
  signal: AbortSignal;
  /** Run and sample ids, for events. */
  runId: string;
  sampleId: string;
  /** The endpoint's budgets, shared with every other client of the endpoint; none when unset. */
  gate?: RequestGate | null;
}

export interface SampleListener {
  /** Base URL of the listener for a client on this machine (TCP listeners only). */
  url: string | null;
  close(): Promise<void>;
}

const API_PREFIX = '/v1';

/** One path segment of the characters ids use (no `%`, `/`, `\\`, nor `.` / `..`). */
const ID = String.raw`(?!\.{1,2}(?:/|$))[A-Za-z0-9._:@+-]+`;

/** `/models/<id>`. */
const MODEL_PATH = new RegExp(`^/models/${ID}$`);
/** `/responses/<id>`: retrieve (GET), delete (DELETE); `compact` and `input_tokens` are routes, not ids. */
const RESPONSE_PATH = new RegExp(`^/responses/(?!(?:compact|input_tokens)$)${ID}$`);
const INPUT_ITEMS_PATH = new RegExp(`^/responses/${ID}/input_items$`);
const CANCEL_PATH = new RegExp(`^/responses/${ID}/cancel$`);

/**
 * The model endpoints the proxy forwards; anything else is refused (the key stays usable only for
 * these). Only requests with an `api` are model turns (recorded, limited, budgeted); the others
 * (the model list, counting input tokens, a stored response's retrieve, input items, delete and
 * cancel) are passed through with the real key and not recorded.
 */
function routeOf(method: string, rest: string): { api: ObservedApi | null; allowed: boolean } {
  const path = rest.split('?')[0] ?? '';
  if (method === 'POST' && path === '/responses') return { api: 'responses', allowed: true };
  if (method === 'POST' && path === '/responses/compact') return { api: 'compact', allowed: true };
  if (method === 'POST' && path === '/chat/completions') return { api: 'chat', allowed: true };
  const passed =
    (method === 'GET' && (path === '/models' || MODEL_PATH.test(path))) ||
    (method === 'POST' && (path === '/responses/input_tokens' || CANCEL_PATH.test(path))) ||
    (method === 'GET' && (RESPONSE_PATH.test(path) || INPUT_ITEMS_PATH.test(path))) ||
    (method === 'DELETE' && RESPONSE_PATH.test(path));
  return { api: null, allowed: passed };
}

/** The provider's URLs by path, per sample, parsed once (a sample sends the same few paths). */
const targets = new WeakMap<SampleChannel, Map<string, URL>>();

function targetOf(channel: SampleChannel, rest: string): URL | null {
  let byPath = targets.get(channel);
  if (!byPath) {
    byPath = new Map();
    targets.set(channel, byPath);
  }
  let url = byPath.get(rest) ?? null;
  if (!url) {
    url = upstreamUrl(channel.upstream.baseURL, rest);
    if (url && byPath.size < 32) byPath.set(rest, url);
  }
  return url;
}

/** The whole request body, or null once it passes MAX_BODY_BYTES (declared or sent; the rest is not read). */
function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length']) > MAX_BODY_BYTES) {
      resolve(null);
      return;
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= MAX_BODY_BYTES) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.pause();
      chunks.length = 0;
      resolve(null);
    };
    req.on('data', onData);
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendError(res: ServerResponse, status: number, message: string, code: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = redact(JSON.stringify({ error: { message, type: 'invalid_request_error', code } }));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const RETRYABLE = (status: number) => status === 408 || status === 409 || status === 429 || status >= 500;

/**
 * The recording proxy of a run. One HTTP server (never bound to a port of its own) serves many
 * listeners: a unix socket per sample, bind-mounted into that sample's container, so a request's
 * socket says which sample made it and no sample can reach another's. Each model request is
 * forwarded to the variant's provider with the real key added, its answer streamed back as it
 * arrives (SSE, JSON, or WebSocket messages), and recorded by the sample's recorder.
 */
export class RecordingProxy {
  private readonly server: Server;
  private readonly channels = new WeakMap<Socket, SampleChannel>();
  private readonly listeners = new Set<NetServer>();
  private readonly provider = new UpstreamClient();

  constructor() {
    this.server = createServer({ keepAliveTimeout: 120_000, requestTimeout: 0 }, (req, res) => {
      this.handle(req, res).catch((error: unknown) =>
        sendError(
          res,
          500,
          `turnbench proxy: ${error instanceof Error ? error.message : String(error)}`,
          'turnbench_proxy',
        ),
      );
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      const channel = this.channels.get(req.socket);
      if (!channel) {
        socket.destroy();
        return;
      }
      relayWebSocket(req, socket, head, channel);
    });
  }

  /** Serve one sample on a unix socket (created here, removed by `close`), or on a loopback TCP port. */
  async openSample(
    channel: SampleChannel,
    where: { socketPath: string } | { tcp: true },
  ): Promise<SampleListener> {
    // The key the proxy adds is a secret whatever its variable's name (src/secrets).
    registerSecret(channel.upstream.apiKey);
    // noDelay: on a loopback TCP listener a streamed answer's events would otherwise wait on the
    // agent's delayed ACKs (Nagle); a unix socket has no such thing.
    const listener = createNetServer({ noDelay: true }, (socket) => {
      this.channels.set(socket, channel);
      this.server.emit('connection', socket);
    });
    // A sample cannot use up the run's file descriptors (other samples' results need them too).
    listener.maxConnections = MAX_CONNECTIONS_PER_SAMPLE;
    const sockets = new Set<Socket>();
    listener.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    this.listeners.add(listener);
    let url: string | null = null;
    if ('socketPath' in where) {
      await unlink(where.socketPath).catch(() => {});
      await new Promise<void>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen(where.socketPath, () => resolve());
      });
    } else {
      await new Promise<void>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen(0, '127.0.0.1', () => resolve());
      });
      const address = listener.address();
      if (address && typeof address === 'object') url = `http://127.0.0.1:${address.port}${API_PREFIX}`;
    }
    return {
      url,
      close: async () => {
        this.listeners.delete(listener);
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => listener.close(() => resolve()));
        if ('socketPath' in where) await unlink(where.socketPath).catch(() => {});
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.listeners].map((l) => new Promise<void>((resolve) => l.close(() => resolve()))),
    );
    this.server.closeAllConnections();
    this.provider.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t0 = performance.now();
    const channel = this.channels.get(req.socket);
    if (!channel) {
      sendError(res, 500, 'turnbench proxy: unknown listener', 'turnbench_proxy');
      return;
    }
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    if (!url.startsWith(`${API_PREFIX}/`)) {
      sendError(res, 404, `turnbench proxy: ${method} ${url} is not under ${API_PREFIX}`, 'not_found');
      return;
    }
    const rest = url.slice(API_PREFIX.length);
    const route = routeOf(method, rest);
    const target = route.allowed ? targetOf(channel, rest) : null;
    if (!route.allowed || !target) {
      sendError(
        res,
        404,
        `turnbench proxy: ${method} ${url} is not a model endpoint it forwards`,
        'not_found',
      );
      return;
    }
    // The body is passed on as it arrives where it can be; a chunked one, or a Chat Completions
    // one (withChatUsage may rewrite it), is read whole first.
    const streamed = method === 'POST' && route.api !== 'chat' ? AgentRequestBody.from(req) : null;
    let whole: Buffer | null = Buffer.alloc(0);
    if (method === 'POST' && !streamed) {
      try {
        whole = await readBody(req);
      } catch {
        res.destroy();
        return;
      }
    }
    if (whole === null) {
      // Answered without reading the rest, and the connection closed after the answer.
      const message = `turnbench proxy: ${method} ${url}: request body over ${MAX_BODY_BYTES} bytes; not forwarded`;
      channel.recorder.note(message);
      res.shouldKeepAlive = false;
      sendError(res, 413, message, 'request_too_large');
      res.once('finish', () => req.socket.destroySoon());
      return;
    }
    const received = whole;

    let exchange: Exchange | null = null;
    let read: (() => ReadRequest) | null = null;
    let body: OutgoingBody | null = method !== 'POST' ? null : (streamed ?? wholeBody(received));
    const length = body?.length ?? 0;
    if (route.api) {
      const pending = channel.recorder.admit(t0, length);
      const admission = pending instanceof Promise ? await pending : pending;
      if (!admission.ok) {
        sendError(res, 400, admission.message, 'turnbench_limit');
        return;
      }
      exchange = admission.exchange;
      const encoding = (req.headers['content-encoding'] as string | undefined) ?? null;
      const source = route.api;
      read = () => ({
        raw: { source, encoding, body: streamed?.bytes() ?? received, headers: plainHeaders(req.headers) },
        fresh: streamed?.bytesAreFresh ?? false,
      });
      if (route.api === 'chat' && !encoding && body) body = wholeBody(withChatUsage(received));
    }
    const forward = () => this.forward(req, res, target, body, channel, route.api, exchange, read, t0);
    if (!channel.gate || !route.api) {
      await forward();
      return;
    }
    // ~4 bytes a token for the request, and room for the answer; corrected with the usage.
    await channel
      .gate(
        () => Math.ceil(length / 4) + 1024,
        channel.signal,
        async () => ({ value: undefined, ...(await forward()) }),
      )
      .catch(() =>
        sendError(res, 503, 'turnbench proxy: the sample ended while waiting for the endpoint', 'cancelled'),
      );
  }

  private async forward(
    req: IncomingMessage,
    res: ServerResponse,
    target: URL,
    body: OutgoingBody | null,
    channel: SampleChannel,
    api: ObservedApi | null,
    exchange: Exchange | null,
    read: (() => ReadRequest) | null,
    t0: number,
  ): Promise<Forwarded> {
    let done: (forwarded: Forwarded) => void = () => {};
    const ended = new Promise<Forwarded>((resolve) => {
      done = resolve;
    });
    // Cut when the agent goes or the sample ends: one listener on the sample's signal for the
    // request's time (AbortSignal.any on every request costs more, and more as the sample goes on).
    const abort = linkedAbort([channel.signal]);
    const signal = abort.signal;
    res.on('close', () => {
      if (res.writableFinished) abort.unlink();
      else abort.abort(new Error('the agent closed the connection'));
    });
    const headers = upstreamHeaders(req.headers, channel.upstream);
    const method = req.method ?? 'GET';
    const finish = (
      status: number | null,
      error: string | null,
      tap: ReturnType<typeof tapFor> | null,
      retryAfterMs: number | null = null,
    ) => {
      const ttftMs = tap?.firstOutputAt != null ? tap.firstOutputAt - t0 : null;
      const latencyMs = performance.now() - t0;
      const attempt: AttemptOutcome =
        error === null && status !== null && status < 400
          ? { ok: true, latencyMs, ttftMs }
          : { ok: false, status, retryAfterMs };
      if (!exchange || !read) {
        done({ tokens: null, outcome: attempt });
        return;
      }
      // The agent has its answer; reading the request and the answer for the record comes after.
      // A body concatenated just now is the thread's to take; one a socket wrote from is copied.
      const { raw, fresh } = read();
      channel.recorder.finish(
        exchange,
        raw,
        { status, error, ttftMs, latencyMs, response: tap ? tap.raw() : null },
        fresh,
      );
      done({ tokens: tap && channel.gate ? tokensOf(tap) : null, outcome: attempt });
    };

    // The answer goes on to the agent from the tick its head is parsed (no promise in between),
    // except with proxy retries, where a retryable status must be seen first.
    let passing = false;
    const passOn = (upstream: UpstreamAnswer) => {
      passing = true;
      this.passAnswer(upstream, res, api, finish);
    };
    try {
      const upstream = await this.send(target, method, headers, body, signal, channel, exchange, passOn);
      if (!passing) passOn(upstream);
    } catch (error) {
      const status = error instanceof APIError && typeof error.status === 'number' ? error.status : null;
      const message = error instanceof Error ? error.message : String(error);
      if (status !== null && error instanceof APIError) {
        const body = redact(JSON.stringify(error.error ?? { error: { message } }));
        if (!res.headersSent) {
          res.writeHead(status, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          });
          res.end(body);
        }
      } else {
        sendError(res, 502, `turnbench proxy: the provider could not be reached (${message})`, 'bad_gateway');
      }
      finish(status, message, null);
    }
    return ended;
  }

  /** The provider's answer on its way to the agent: redacted, read by the tap, then recorded. */
  private passAnswer(
    upstream: UpstreamAnswer,
    res: ServerResponse,
    api: ObservedApi | null,
    finish: (
      status: number | null,
      error: string | null,
      tap: ReturnType<typeof tapFor> | null,
      retryAfterMs?: number | null,
    ) => void,
  ): void {
    const status = upstream.statusCode;
    // The provider may echo the key it was sent: the agent gets the answer redacted (src/secrets).
    const answer = redactedAnswer(upstream, downstreamHeaders(upstream.headers));
    res.writeHead(status, answer.headers);
    const tap = api && status < 400 ? tapFor(api, upstream.headers['content-type']) : null;
    const tapFeed = tap ? deferredFeed(tap) : null;
    const errorChunks: Buffer[] = [];
    let wrote = false;
    answer.pipeTo({
      data: (chunk, passed) => {
        if (passed.length > 0) {
          res.write(passed);
          wrote = true;
        }
        if (tapFeed) tapFeed.write(chunk);
        else if (status >= 400 && errorChunks.length < 16) errorChunks.push(chunk);
      },
      end: (rest) => {
        res.end(rest);
        tapFeed?.flush();
        const error =
          status >= 400
            ? `HTTP ${status}: ${Buffer.concat(errorChunks).toString('utf8').slice(0, 500)}`
            : null;
        finish(status, error, tap, status >= 400 ? retryAfterOf(upstream.headers) : null);
      },
      error: (error) => {
        res.destroy();
        tapFeed?.flush();
        finish(status, `the answer was cut: ${error.message}`, tap);
      },
    });
    // The status goes to the agent once this read of the provider's socket is handled, unless body
    // bytes went with it (one write, not two).
    queueMicrotask(() => {
      if (!wrote && !res.writableEnded && !res.destroyed) res.flushHeaders();
    });
  }

  /** One request to the provider; with proxy retries, failures before the answer starts are retried. */
  private send(
    target: URL,
    method: string,
    headers: ReturnType<typeof upstreamHeaders>,
    body: OutgoingBody | null,
    signal: AbortSignal,
    channel: SampleChannel,
    exchange: Exchange | null,
    onHead: (answer: UpstreamAnswer) => void,
  ): Promise<UpstreamAnswer> {
    if (channel.retries !== 'proxy' || !exchange)
      return this.provider.request(target, method, headers, body, signal, onHead);
    const send = () => this.provider.request(target, method, headers, body, signal);
    return this.sendWithRetries(send, signal, channel, exchange);
  }

  private async sendWithRetries(
    send: () => Promise<UpstreamAnswer>,
    signal: AbortSignal,
    channel: SampleChannel,
    exchange: Exchange,
  ): Promise<UpstreamAnswer> {
    const { value, retries } = await withRetries(
      async () => {
        const answer = await send();
        const status = answer.statusCode ?? 502;
        if (!RETRYABLE(status)) return answer;
        const text = await answer.body.text(2000);
        let parsed: object | undefined;
        try {
          parsed = JSON.parse(text) as object;
        } catch {
          parsed = undefined;
        }
        const fetchHeaders = new Headers();
        for (const [name, value] of Object.entries(answer.headers)) {
          if (typeof value === 'string') fetchHeaders.set(name, value);
        }
        throw APIError.generate(status, parsed, `HTTP ${status}: ${text.slice(0, 300)}`, fetchHeaders);
      },
      {
        signal,
        onRetry: (notice) => channel.recorder.retryNotice(notice),
      },
    );
    exchange.retries += retries;
    return value;
  }
}

/** Retry-After (seconds or an HTTP date) or retry-after-ms, in milliseconds. */
function retryAfterOf(headers: UpstreamAnswer['headers']): number | null {
  const ms = Number(headers['retry-after-ms']);
  if (headers['retry-after-ms'] !== undefined && Number.isFinite(ms)) return Math.max(0, ms);
  const value = headers['retry-after'];
  if (typeof value !== 'string') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** Tokens an answer used, for a token budget (reads the answer's end, so only asked for with one). */
function tokensOf(tap: ReturnType<typeof tapFor>): number | null {
  const usage = responseOf(tap.raw()).usage;
  return usage ? usage.inputTokens + usage.outputTokens : null;
}

/**
 * A Chat Completions stream carries no usage unless asked (`stream_options.include_usage`): the
 * proxy asks, so the turn can be recorded. Other bodies pass unchanged.
 */
function withChatUsage(body: Buffer): Buffer {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return body;
  }
  const request = json as { stream?: unknown; stream_options?: { include_usage?: unknown } | null };
  if (request?.stream !== true || request.stream_options?.include_usage === true) return body;
  request.stream_options = { ...request.stream_options, include_usage: true };
  return Buffer.from(JSON.stringify(request));
}
