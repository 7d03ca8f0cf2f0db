import { type RawData, WebSocket } from 'ws';
import type { EffectiveOptions } from '../behaviour/options.js';
import type { SimContext } from '../context.js';
import { SimHttpError } from '../http/errors.js';
import type { Handler } from '../http/server.js';
import { isPaced, type PacedEvent, type StreamPlan, waitBefore } from '../http/sse.js';
import { count, finishedResponse, type ResponseObserver, type SimTraffic } from '../http/traffic.js';
import type { InputItem } from '../responses/schema.js';
import type { ResponseSession } from '../responses/session.js';
import { sleep } from '../util/sleep.js';
import { type ClientEvent, errorEvent, parseClientEvent, steerNotSupported } from './client-events.js';

export interface ConnectionOptions {
  /** `POST /v1/responses`'s handler, fed each `response.create`. */
  create: Handler;
  /** The sim options of this connection (its upgrade request's header over the server's). */
  options: EffectiveOptions;
  traffic: SimTraffic;
  onResponse?: ResponseObserver;
  log: ((line: string) => void) | null;
}

/** The lane of requests sent without a `stream_id`. */
const DEFAULT_LANE = '';

/**
 * One Responses WebSocket connection. Each `response.create` runs through the HTTP handler with
 * `stream: true`, and its events go out as text messages, one event each, exactly as over SSE.
 * Requests on one lane (`stream_id`) run one after the other; lanes run side by side. The
 * connection keeps each lane's latest response, so `previous_response_id` works with `store:
 * false`; an error drops that lane's state, as the real API does.
 */
export class SimWebSocketConnection {
  private readonly lanes = new Map<string, Promise<void>>();
  private readonly latest = new Map<string, { id: string; items: InputItem[] }>();

  constructor(
    private readonly ctx: SimContext,
    private readonly socket: WebSocket,
    private readonly opts: ConnectionOptions,
  ) {
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    opts.traffic.websocketsOpen += 1;
    socket.once('close', () => {
      opts.traffic.websocketsOpen -= 1;
    });
  }

  private get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  private send(event: unknown): void {
    if (this.open) this.socket.send(JSON.stringify(event));
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const bytes = Array.isArray(data)
      ? data.reduce((n, b) => n + b.length, 0)
      : (data as Buffer | ArrayBuffer).byteLength;
    const event: ClientEvent = isBinary
      ? {
          kind: 'invalid',
          type: 'invalid',
          error: new SimHttpError(400, 'Binary messages are not supported; send JSON text messages.'),
        }
      : parseClientEvent(rawText(data));
    count(this.opts.traffic.websocketEvents, event.kind === 'invalid' ? event.type : typeOf(event));
    this.opts.traffic.websocketBytes += bytes;
    if (event.kind === 'invalid') {
      this.send(errorEvent(event.error, null));
      this.opts.log?.(`WS /v1/responses ${event.type} ${event.error.status}`);
    } else if (event.kind === 'steer') {
      this.send(steerNotSupported(event.event));
    } else if (event.kind === 'create') {
      this.enqueue(event.streamId ?? DEFAULT_LANE, () => this.create(event.body, event.streamId, bytes));
    }
    // `response.processed` only acknowledges a response; there is nothing to answer.
  }

  private enqueue(lane: string, run: () => Promise<void>): void {
    const next = (this.lanes.get(lane) ?? Promise.resolve()).then(() => (this.open ? run() : undefined));
    this.lanes.set(lane, next);
    void next.finally(() => {
      if (this.lanes.get(lane) === next) this.lanes.delete(lane);
    });
  }

  private sessionFor(lane: string): ResponseSession {
    return {
      history: (id) => {
        for (const entry of this.latest.values()) if (entry.id === id) return entry.items;
        return undefined;
      },
      remember: (id, items) => {
        this.latest.set(lane, { id, items });
      },
    };
  }

  private async create(body: Record<string, unknown>, streamId: string | null, bytes: number): Promise<void> {
    const lane = streamId ?? DEFAULT_LANE;
    const started = performance.now();
    let status = 200;
    try {
      const reply = this.opts.create(this.ctx, {
        json: { ...body, stream: true },
        bytes,
        options: this.opts.options,
        session: this.sessionFor(lane),
      });
      if (reply.kind !== 'sse') throw new Error('a WebSocket response.create must stream');
      await sleep(reply.delayMs);
      const complete = await this.sendEvents(reply.events, reply.plan, streamId);
      const finished = complete ? finishedResponse(reply) : null;
      if (finished) this.opts.onResponse?.(finished, 'websocket');
    } catch (err) {
      this.latest.delete(lane);
      const simError = asSimError(err);
      status = simError.status;
      this.send(errorEvent(simError, streamId));
    } finally {
      const ms = (performance.now() - started).toFixed(1);
      this.opts.log?.(`WS /v1/responses response.create ${status} ${ms}ms`);
    }
  }

  /** Send the events (paced like SSE); a cut stream drops the connection. True when all went out. */
  private async sendEvents(
    events: PacedEvent[],
    plan: StreamPlan,
    streamId: string | null,
  ): Promise<boolean> {
    const limit = plan.cutAfter ?? events.length;
    const paced = isPaced(plan.latency);
    for (let i = 0; i < limit; i++) {
      const e = events[i] as PacedEvent;
      if (paced) await sleep(waitBefore(e, plan.latency));
      if (!this.open) return false;
      this.send(streamId === null ? e.data : { ...(e.data as object), stream_id: streamId });
    }
    if (plan.cutAfter === null) return true;
    this.socket.terminate();
    return false;
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function typeOf(event: Exclude<ClientEvent, { kind: 'invalid' }>): string {
  if (event.kind === 'create') return 'response.create';
  if (event.kind === 'processed') return 'response.processed';
  return 'response.steer';
}

function asSimError(err: unknown): SimHttpError {
  if (err instanceof SimHttpError) return err;
  process.stderr.write(`turnbench sim: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  return new SimHttpError(
    500,
    `Internal sim error: ${(err as Error)?.message ?? String(err)}`,
    'server_error',
  );
}
