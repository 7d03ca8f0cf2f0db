import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** Where a variant's model requests really go, and the credentials only the proxy holds. */
export interface UpstreamEndpoint {
  /** The provider's base URL, e.g. `https://api.openai.com/v1` or the sim's `http://127.0.0.1:PORT/v1`. */
  baseURL: string;
  apiKey: string;
  /** Extra headers on every request (the sim's per-variant options). */
  headers?: Record<string, string>;
}

/** Connection-level headers that never cross a proxy, and the credentials the proxy replaces. */
const DROPPED_REQUEST_HEADERS = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'authorization',
  'api-key',
  'x-api-key',
  'content-length',
  // the agent's 100-continue was answered by the proxy's server; the body goes on unasked
  'expect',
  'accept-encoding',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
]);

const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'proxy-authenticate',
  'trailer',
  'upgrade',
]);

/**
 * The agent's headers as the provider gets them: its placeholder key replaced by the real one,
 * `accept-encoding: identity` so the answer can be read as it passes (the hop to the agent is on
 * this machine, so compression would only cost time).
 */
export function upstreamHeaders(
  incoming: IncomingHttpHeaders,
  endpoint: UpstreamEndpoint,
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value !== undefined && !DROPPED_REQUEST_HEADERS.has(name)) out[name] = value;
  }
  for (const [name, value] of Object.entries(endpoint.headers ?? {})) out[name.toLowerCase()] = value;
  out.authorization = `Bearer ${endpoint.apiKey}`;
  out['accept-encoding'] = 'identity';
  return out;
}

/** The provider's answer headers as the agent gets them. */
export function downstreamHeaders(upstream: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (value !== undefined && !DROPPED_RESPONSE_HEADERS.has(name)) out[name] = value;
  }
  return out;
}

/**
 * `/v1/responses?x=1` on the proxy → `<baseURL>/responses?x=1` at the provider; null when URL
 * parsing would send the request to another path than the one the route check saw (dot segments,
 * `%2e%2e`, backslashes: `/models/../files` would reach `/files` with the real key).
 */
export function upstreamUrl(baseURL: string, rest: string): URL | null {
  const base = baseURL.replace(/\/+$/, '');
  const url = new URL(`${base}${rest}`);
  const path = rest.split('?')[0] ?? '';
  const basePath = new URL(base).pathname.replace(/\/+$/, '');
  return url.pathname === `${basePath}${path}` ? url : null;
}
