import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { StreamRedactor } from '../../secrets/index.js';

/**
 * A provider's answer on its way to the agent, with every secret taken out. The proxy holds the
 * real key; a provider that echoes it (a 401 "Incorrect API key provided: sk-...", an event
 * quoting the Authorization header) would otherwise hand it to the agent, and from the agent it
 * would reach its output and its logs in the run folder.
 *
 * The body is read as text (decompressed if the provider compressed it although asked not to),
 * passed through a StreamRedactor (so a stream is never held whole), and sent on without
 * `content-length` and `content-encoding`, which no longer hold. An encoding the proxy cannot
 * decode is passed on as it came; it cannot be read (or recorded) either.
 */
export interface RedactedAnswer {
  /** The answer's headers as the agent gets them. */
  headers: OutgoingHttpHeaders;
  /** The answer's bytes, decoded: what the tap reads and the redactor is fed. */
  body: Readable;
  /** What may be sent to the agent for a chunk of `body` (redacted text, or the chunk itself). */
  pass(chunk: Buffer): string | Buffer;
  /** What is left to send once `body` ended. */
  end(): string;
}

function decoderFor(
  encoding: string,
): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | zlib.ZstdDecompress | null {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlib.createInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    case 'zstd':
      return typeof zlib.createZstdDecompress === 'function' ? zlib.createZstdDecompress() : null;
    default:
      return null;
  }
}

export function redactedAnswer(upstream: IncomingMessage, headers: OutgoingHttpHeaders): RedactedAnswer {
  const encoding = String(upstream.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  const decoder = encoding === 'identity' || encoding === '' ? null : decoderFor(encoding);
  if (encoding !== 'identity' && encoding !== '' && !decoder) {
    return { headers, body: upstream, pass: (chunk) => chunk, end: () => '' };
  }
  const out = { ...headers };
  delete out['content-length'];
  delete out['content-encoding'];
  const redactor = new StreamRedactor();
  let body: Readable = upstream;
  if (decoder) {
    upstream.on('error', (error) => decoder.destroy(error));
    body = upstream.pipe(decoder);
  }
  return { headers: out, body, pass: (chunk) => redactor.push(chunk), end: () => redactor.end() };
}
