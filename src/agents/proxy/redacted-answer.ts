import type { OutgoingHttpHeaders } from 'node:http';
import * as zlib from 'node:zlib';
import { StreamRedactor } from '../../secrets/index.js';
import type { UpstreamAnswer } from './upstream-client.js';

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
  /** Reads the answer: each chunk decoded (what the tap reads) with what may go to the agent for it. */
  pipeTo(sink: RedactedSink): void;
}

export interface RedactedSink {
  /** `decoded`: the chunk as text bytes; `passed`: redacted text, or the chunk itself, to send on. */
  data(decoded: Buffer, passed: string | Buffer): void;
  /** `rest`: what is left to send. */
  end(rest: string): void;
  error(error: Error): void;
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

export function redactedAnswer(upstream: UpstreamAnswer, headers: OutgoingHttpHeaders): RedactedAnswer {
  const encoding = String(upstream.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  const decoder = encoding === 'identity' || encoding === '' ? null : decoderFor(encoding);
  if (encoding !== 'identity' && encoding !== '' && !decoder) {
    return {
      headers,
      pipeTo: (sink) =>
        upstream.body.pipeTo({
          data: (chunk) => sink.data(chunk, chunk),
          end: () => sink.end(''),
          error: sink.error,
        }),
    };
  }
  const out = { ...headers };
  delete out['content-length'];
  delete out['content-encoding'];
  const redactor = new StreamRedactor();
  return {
    headers: out,
    pipeTo(sink) {
      if (!decoder) {
        upstream.body.pipeTo({
          data: (chunk) => sink.data(chunk, redactor.push(chunk)),
          end: () => sink.end(redactor.end()),
          error: sink.error,
        });
        return;
      }
      decoder.on('data', (chunk: Buffer) => sink.data(chunk, redactor.push(chunk)));
      decoder.on('end', () => sink.end(redactor.end()));
      decoder.on('error', sink.error);
      upstream.body.pipeTo({
        data: (chunk) => decoder.write(chunk),
        end: () => decoder.end(),
        error: (error) => decoder.destroy(error),
      });
    },
  };
}
