import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';

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

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 256 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

/**
 * Sends one request to the provider; resolves with its answer once the headers arrived. The
 * signal cuts the request and its answer. `url` is only read.
 */
export function sendUpstream(
  url: URL,
  method: string,
  headers: OutgoingHttpHeaders,
  body: Buffer | null,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError(signal));
      return;
    }
    const secure = url.protocol === 'https:';
    const request = (secure ? https : http).request(
      {
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method,
        headers: body ? { ...headers, 'content-length': String(body.length) } : headers,
        agent: secure ? agents.https : agents.http,
      },
      resolve,
    );
    // A listener of its own costs less than handing the signal to http.request, which also
    // watches the request's end to let go of it.
    const cut = () => request.destroy(abortError(signal));
    signal.addEventListener('abort', cut, { once: true });
    request.once('close', () => signal.removeEventListener('abort', cut));
    request.on('error', reject);
    request.end(body ?? undefined);
  });
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('the request was cancelled');
}
