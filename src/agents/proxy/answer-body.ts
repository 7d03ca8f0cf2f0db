/** Where an answer's body goes: called as the provider's bytes are parsed, in order, never after end or error. */
export interface AnswerSink {
  data(chunk: Buffer): void;
  end(): void;
  error(error: Error): void;
}

/**
 * The body of a provider's answer, de-chunked, handed on as it is parsed. Not a stream: on the
 * agent's path every chunk would pay a stream's queueing and ticks (bench/proxy.ts measures the
 * hop); what arrives before the consumer attaches is kept and given to it when it does.
 */
export class AnswerBody {
  private sink: AnswerSink | null = null;
  private early: Buffer[] = [];
  private outcome: { error: Error | null } | null = null;
  private settledHooks: Array<() => void> = [];

  /** The consumer: what has arrived is given now, the rest as it comes. Only one consumer. */
  pipeTo(sink: AnswerSink): void {
    if (this.sink) throw new Error('the answer is already being read');
    this.sink = sink;
    const early = this.early;
    this.early = [];
    for (const chunk of early) sink.data(chunk);
    if (this.outcome) this.deliverOutcome(this.outcome.error);
  }

  /** Bytes parsed but not yet given to a consumer. */
  get pending(): number {
    let bytes = 0;
    for (const chunk of this.early) bytes += chunk.length;
    return bytes;
  }

  /** The whole body as text (at most `maxChars`): for an error answer that is read, not passed on. */
  text(maxChars: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      this.pipeTo({
        data: (chunk) => {
          if (bytes < maxChars * 4) chunks.push(chunk);
          bytes += chunk.length;
        },
        end: () => resolve(Buffer.concat(chunks).toString('utf8').slice(0, maxChars)),
        error: reject,
      });
    });
  }

  /** Called once the body ended or failed (the client lets go of the request's abort signal). */
  onSettled(hook: () => void): void {
    if (this.outcome) hook();
    else this.settledHooks.push(hook);
  }

  /** The client's side. */
  push(chunk: Buffer): void {
    if (this.outcome) return;
    if (this.sink) this.sink.data(chunk);
    else this.early.push(chunk);
  }

  end(): void {
    this.settle(null);
  }

  fail(error: Error): void {
    this.settle(error);
  }

  get settled(): boolean {
    return this.outcome !== null;
  }

  private settle(error: Error | null): void {
    if (this.outcome) return;
    this.outcome = { error };
    for (const hook of this.settledHooks.splice(0)) hook();
    if (this.sink) this.deliverOutcome(error);
  }

  private deliverOutcome(error: Error | null): void {
    const sink = this.sink;
    if (!sink) return;
    if (error) sink.error(error);
    else sink.end();
  }
}
