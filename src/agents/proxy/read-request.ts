import * as zlib from 'node:zlib';
import { type ObservedApi, type ObservedRequest, parseObservedRequest } from './observed-request.js';
import { MAX_BODY_BYTES } from './size-limits.js';

/**
 * A model request as the proxy passed it on, kept as bytes: it is read (parsed) only once its
 * answer has ended, and possibly in another thread, so everything here can be structured-cloned.
 */
export interface RawRequest {
  /** The API by path for HTTP; `websocket` for a `response.create` message. */
  source: ObservedApi | 'websocket';
  /** The body's content-encoding (HTTP), if any. */
  encoding: string | null;
  body: Uint8Array;
  /** The request's headers (the upgrade request's, for WebSocket), lower-case names. */
  headers: Record<string, string>;
}

/** The headers of an incoming request, as plain strings (what conversation keys look at). */
export function plainHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/** The body as JSON bytes; a compressed one may expand to `maxBytes` at most (a zip bomb throws). */
export function decoded(body: Uint8Array, encoding: string | null, maxBytes = MAX_BODY_BYTES): Buffer {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const bounded = { maxOutputLength: maxBytes };
  switch ((encoding ?? '').toLowerCase()) {
    case '':
    case 'identity':
      return bytes;
    case 'gzip':
      return zlib.gunzipSync(bytes, bounded);
    case 'deflate':
      return zlib.inflateSync(bytes, bounded);
    case 'br':
      return zlib.brotliDecompressSync(bytes, bounded);
    case 'zstd':
      // Node 22.15 and later; on older ones such a request is forwarded but not recorded.
      if (typeof zlib.zstdDecompressSync !== 'function') throw new Error('zstd needs Node 22.15 or later');
      return zlib.zstdDecompressSync(bytes, bounded);
    default:
      throw new Error(`unsupported content-encoding ${encoding}`);
  }
}

/**
 * The request read: an HTTP body by its API, or a WebSocket `response.create` message (whose
 * request fields are at its top level, or under `response`). Null for a WebSocket message that is
 * no request. Throws ObservedRequestError (or a parse error) for a body that cannot be read.
 */
export function readRequest(raw: RawRequest): ObservedRequest | null {
  const json: unknown = JSON.parse(decoded(raw.body, raw.encoding).toString('utf8'));
  if (raw.source !== 'websocket') return parseObservedRequest(raw.source, json);
  const message = json as Record<string, unknown>;
  if (message?.type !== 'response.create') return null;
  const nested = message.response;
  const { type: _type, ...top } = message;
  return parseObservedRequest('responses', nested && typeof nested === 'object' ? nested : top);
}
