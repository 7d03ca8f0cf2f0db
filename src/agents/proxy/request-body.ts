import type { IncomingMessage } from 'node:http';
import { MAX_BODY_BYTES } from './size-limits.js';

/** Where a request body is written: its bytes in order, then end, or fail if the agent went mid-body. */
export interface BodySink {
  write(chunk: Buffer): void;
  end(): void;
  fail(error: Error): void;
}

/** A request body as the upstream client sends it: its length up front, its bytes as they come. */
export interface OutgoingBody {
  readonly length: number;
  /** Writes the body from its start to `sink` (again, for a retry); returns what stops the writing. */
  streamTo(sink: BodySink): () => void;
}

export function wholeBody(bytes: Buffer): OutgoingBody {
  return {
    length: bytes.length,
    streamTo(sink) {
      if (bytes.length > 0) sink.write(bytes);
      sink.end();
      return () => {};
    },
  };
}

/**
 * An agent's request body passed on while it arrives: the provider gets the first bytes while the
 * last are still coming in (a hop that reads the whole body first adds its transfer time to every
 * request), and every chunk is kept, for the record and for a retry.
 */
export class AgentRequestBody implements OutgoingBody {
  private readonly chunks: Buffer[] = [];
  private received = 0;
  private complete = false;
  private failure: Error | null = null;
  private readonly sinks = new Set<BodySink>();

  private constructor(
    readonly length: number,
    req: IncomingMessage,
  ) {
    req.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.received += chunk.length;
      for (const sink of this.sinks) sink.write(chunk);
    });
    req.on('end', () => {
      this.complete = true;
      for (const sink of this.sinks) sink.end();
      this.sinks.clear();
    });
    req.on('close', () => {
      if (!this.complete) this.fail(new Error('the agent closed the connection before its request was sent'));
    });
    req.on('error', (error) => this.fail(error));
  }

  /**
   * A body that can be passed on as it comes: one with a declared length within MAX_BODY_BYTES
   * (Node's HTTP server holds the agent to it). Null otherwise: a chunked body, or one too large.
   */
  static from(req: IncomingMessage): AgentRequestBody | null {
    const declared = req.headers['content-length'];
    if (declared === undefined || req.headers['transfer-encoding'] !== undefined) return null;
    const length = Number(declared);
    if (!Number.isSafeInteger(length) || length < 0 || length > MAX_BODY_BYTES) return null;
    return new AgentRequestBody(length, req);
  }

  streamTo(sink: BodySink): () => void {
    if (this.failure) {
      sink.fail(this.failure);
      return () => {};
    }
    for (const chunk of this.chunks) sink.write(chunk);
    if (this.complete) {
      sink.end();
      return () => {};
    }
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  /** The bytes received so far: the whole body once the provider answered (it reads the body first). */
  bytes(): Buffer {
    return this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.received);
  }

  /** Whether `bytes()` makes a buffer of its own (a concatenation no socket ever wrote from). */
  get bytesAreFresh(): boolean {
    return this.chunks.length > 1;
  }

  private fail(error: Error): void {
    if (this.failure || this.complete) return;
    this.failure = error;
    for (const sink of this.sinks) sink.fail(error);
    this.sinks.clear();
  }
}
