import type { Response } from 'openai/resources/responses/responses';
import type { SimReply } from '../context.js';

export type SimTransport = 'http' | 'websocket';

/** What the server has been asked, by route and transport. */
export interface SimTraffic {
  /** HTTP requests by `METHOD /path` (WebSocket upgrades are counted apart). */
  http: Record<string, number>;
  /** Accepted `GET /v1/responses` WebSocket upgrades. */
  websocketUpgrades: number;
  /** WebSocket connections open now. */
  websocketsOpen: number;
  /** Client events received over WebSockets, by `type` (`invalid` when there is none). */
  websocketEvents: Record<string, number>;
  /** Payload bytes of every client message received over WebSockets. */
  websocketBytes: number;
}

export function emptyTraffic(): SimTraffic {
  return { http: {}, websocketUpgrades: 0, websocketsOpen: 0, websocketEvents: {}, websocketBytes: 0 };
}

export function count(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Told about every Responses API response sent in full (a cut stream is not). */
export type ResponseObserver = (response: Response, transport: SimTransport) => void;

const TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/** The finished `Response` a reply carries: the terminal streamed event's, or the JSON body's. */
export function finishedResponse(reply: SimReply): Response | null {
  if (reply.kind === 'sse') {
    const last = reply.events.at(-1);
    if (!last?.name || !TERMINAL_EVENTS.has(last.name)) return null;
    return (last.data as { response: Response }).response;
  }
  const body = reply.body as { object?: unknown; status?: unknown } | null;
  // a background create's `queued` answer is not a finished response
  const finished = body?.object === 'response' && body.status !== 'queued' && body.status !== 'in_progress';
  return reply.status === 200 && finished ? (reply.body as Response) : null;
}
