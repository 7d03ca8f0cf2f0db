import { Worker } from 'node:worker_threads';
import type { StopReason } from '../../agent/index.js';
import type { SampleTotals } from '../../agent/totals.js';
import type { Pricing, ResolvedLimits } from '../../config/index.js';
import type { RetryNotice } from '../../model/index.js';
import type { EventRecord, RecordSink, TrackerIdentity, TurnRecord } from '../../telemetry/index.js';
import type { RawRequest } from './read-request.js';
import {
  type Admission,
  type Exchange,
  type ExchangeOutcome,
  type ExchangeRecorder,
  limitReached,
  type RecordedUsage,
} from './sample-recorder.js';

/** Messages to the recording thread (record-worker.ts). */
export type ToRecorder =
  | { type: 'open'; sampleId: string; identity: TrackerIdentity; provider: string; limits: ResolvedLimits }
  | { type: 'finish'; sampleId: string; exchange: Exchange; request: RawRequest; outcome: ExchangeOutcome }
  | { type: 'retry'; sampleId: string; notice: RetryNotice }
  | { type: 'note'; sampleId: string; message: string }
  | { type: 'close'; sampleId: string };

/** The recording thread's answer to each message: what the message produced, and the sample's state. */
export interface FromRecorder {
  sampleId: string;
  turns: TurnRecord[];
  events: EventRecord[];
  usages: RecordedUsage[];
  totals: SampleTotals;
  agentTurns: number;
}

/**
 * Reading requests and checking them against their conversations costs CPU in proportion to the
 * prompt (a 100k-token history is ~300 KB of JSON per request) and makes garbage; done on the
 * proxy's event loop it would delay the requests of every sample waiting there. So it runs in a
 * worker thread: the proxy hands each finished exchange over (its body moved, not copied twice)
 * and writes the records the thread sends back.
 */
export class RecordThread {
  private readonly worker: Worker;
  private readonly samples = new Map<string, ThreadedSampleRecorder>();
  private failure: Error | null = null;

  constructor(pricing: Pricing) {
    this.worker = new Worker(new URL('./record-worker.js', import.meta.url), { workerData: { pricing } });
    this.worker.on('message', (message: FromRecorder) => this.samples.get(message.sampleId)?.apply(message));
    this.worker.on('error', (error) => {
      this.failure = error;
      for (const sample of this.samples.values()) sample.fail(error);
    });
  }

  /** A recorder for one sample; its records go to `sink`, its totals into `totals`. */
  open(opts: {
    identity: TrackerIdentity;
    provider: string;
    limits: ResolvedLimits;
    sink: RecordSink;
    totals: SampleTotals;
    onLimit: (reason: Exclude<StopReason, 'final'>) => void;
  }): ThreadedSampleRecorder {
    if (this.failure) throw this.failure;
    const sampleId = opts.identity.sampleId;
    const recorder = new ThreadedSampleRecorder(opts, (message, transfer) =>
      this.worker.postMessage(message, transfer),
    );
    this.samples.set(sampleId, recorder);
    this.worker.postMessage({
      type: 'open',
      sampleId,
      identity: opts.identity,
      provider: opts.provider,
      limits: opts.limits,
    } satisfies ToRecorder);
    return recorder;
  }

  forget(sampleId: string): void {
    this.samples.delete(sampleId);
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/** A sample's recorder whose reading and checking happen in the recording thread. */
export class ThreadedSampleRecorder implements ExchangeRecorder {
  private sent = 0;
  private applied = 0;
  private waiting: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private agentTurns = 0;
  private limitHit = false;
  private failure: Error | null = null;
  readonly usages: RecordedUsage[] = [];

  constructor(
    private readonly opts: {
      identity: TrackerIdentity;
      limits: ResolvedLimits;
      sink: RecordSink;
      totals: SampleTotals;
      onLimit: (reason: Exclude<StopReason, 'final'>) => void;
    },
    private readonly post: (message: ToRecorder, transfer?: ArrayBuffer[]) => void,
  ) {}

  private send(message: ToRecorder, transfer?: ArrayBuffer[]): void {
    this.sent += 1;
    this.post(message, transfer);
  }

  /** Resolves once the thread has answered every message sent so far. */
  settled(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.applied >= this.sent) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /**
   * Limits count what is recorded, so a request waits until the ones before it of this sample are
   * (almost always already: the agent runs its tools in between).
   */
  admit(t0: number, bytes: number): Admission | Promise<Admission> {
    // at once when nothing is outstanding: the request is on the agent's path
    if (!this.failure && this.applied >= this.sent) return this.admitNow(t0, bytes);
    return this.settled().then(() => this.admitNow(t0, bytes));
  }

  private admitNow(t0: number, bytes: number): Admission {
    const reached = limitReached(this.opts.limits, this.opts.totals, this.agentTurns);
    if (reached) {
      if (!this.limitHit) {
        this.limitHit = true;
        this.opts.onLimit(reached.reason);
      }
      return { ok: false, ...reached };
    }
    return { ok: true, exchange: { startedAt: new Date(), t0, bytesSent: bytes, retries: 0 } };
  }

  finish(exchange: Exchange, request: RawRequest, outcome: ExchangeOutcome, bodyIsFree = false): void {
    // The body moves to the thread: its own memory when it is free to take (a fresh concatenation),
    // else a copy, so the transfer takes nothing shared. Not copying a large prompt on every request
    // spares this thread full GCs: external memory is what triggers them here.
    const own = request.body;
    const free =
      bodyIsFree &&
      own.byteOffset === 0 &&
      own.byteLength === own.buffer.byteLength &&
      own.buffer instanceof ArrayBuffer;
    const body = free ? (own as Uint8Array<ArrayBuffer>) : new Uint8Array(own);
    this.send(
      {
        type: 'finish',
        sampleId: this.opts.identity.sampleId,
        exchange,
        request: { ...request, body },
        outcome,
      },
      [body.buffer],
    );
  }

  retryNotice(notice: RetryNotice): void {
    this.send({ type: 'retry', sampleId: this.opts.identity.sampleId, notice });
  }

  note(message: string): void {
    this.send({ type: 'note', sampleId: this.opts.identity.sampleId, message });
  }

  /** Writes what the thread sent back. */
  apply(message: FromRecorder): void {
    for (const turn of message.turns) this.opts.sink.turn(turn);
    for (const event of message.events) this.opts.sink.event(event);
    this.usages.push(...message.usages);
    Object.assign(this.opts.totals, message.totals);
    this.agentTurns = message.agentTurns;
    this.applied += 1;
    if (this.applied >= this.sent) {
      for (const waiter of this.waiting.splice(0)) waiter.resolve();
    }
  }

  fail(error: Error): void {
    this.failure = error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
  }

  /** The sample is over: compactions no turn followed are written; resolves once all is written. */
  async close(): Promise<void> {
    this.send({ type: 'close', sampleId: this.opts.identity.sampleId });
    await this.settled();
  }
}
