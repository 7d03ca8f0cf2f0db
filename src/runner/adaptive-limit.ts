import type { Admission, AttemptOutcome, ConcurrencyChange } from '../model/index.js';

/** How an endpoint's concurrency adapts (AIMD): the ceiling is the configured request limit. */
export interface AdaptiveSettings {
  ceiling: number;
  floor: number;
  /** Added to the limit per window of successful requests (a window = `limit` successes). */
  increase: number;
  /** The limit is multiplied by this on a decrease signal (0 < decrease < 1). */
  decrease: number;
  /**
   * Decrease when the smoothed time to first token grows past this multiple of the lowest smoothed
   * value seen (queueing at the provider); 0 turns the latency signal off.
   */
  latencyFactor: number;
}

/** Smoothing of the latency signal, and how many samples it needs before it may act. */
const LATENCY_ALPHA = 0.2;
const LATENCY_WARMUP = 8;
/** Longest pause a Retry-After can impose on new requests. */
const MAX_PAUSE_MS = 60_000;

interface Waiter {
  /** Resolves with whether the attempt is the probe after a pause. */
  resolve(probe: boolean): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * Additive increase, multiplicative decrease of the requests in flight at one provider endpoint.
 * Every attempt (retries included) is admitted here and reports how it went:
 * - a 429, or any answer with Retry-After, or time to first token rising well above its best:
 *   the limit is multiplied by `decrease` (at most once per window: only an attempt admitted after
 *   the last decrease can decrease it again, so one burst of failures is one decrease);
 * - a Retry-After also holds new attempts back until it has passed, and then lets one go first;
 * - a success adds `increase / limit` (one whole step per window of successes), up to the ceiling.
 * Each change of the whole-number limit is reported to the attempt that caused it.
 */
export class AdaptiveLimiter {
  private limit: number;
  private inFlight = 0;
  private readonly waiting: Waiter[] = [];
  private pausedUntil = 0;
  private pauseTimer: NodeJS.Timeout | undefined;
  /** Bumped by each decrease; an attempt carries the epoch it was admitted in. */
  private epoch = 0;
  private latency: number | null = null;
  private bestLatency = Number.POSITIVE_INFINITY;
  private latencySamples = 0;
  /**
   * After a Retry-After pause one attempt goes first, alone: when the provider said when it has
   * room again, it has room for one; the rest follow once that one got through.
   */
  private probing = false;
  private probeOut = false;

  constructor(
    readonly endpoint: string,
    private readonly settings: AdaptiveSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.limit = settings.ceiling;
  }

  /** The whole number of attempts allowed in flight now. */
  get current(): number {
    return Math.max(this.settings.floor, Math.floor(this.limit));
  }

  get active(): number {
    return this.inFlight;
  }

  /** Waits for a slot; `onChange` hears of limit changes this attempt's outcome causes. */
  async admit(signal?: AbortSignal, onChange?: (change: ConcurrencyChange) => void): Promise<Admission> {
    signal?.throwIfAborted();
    let probe = false;
    if (this.canStart()) {
      this.inFlight += 1;
      probe = this.takeProbe();
    } else {
      probe = await this.wait(signal); // wake() counts the slot before it lets this attempt go
    }
    const epoch = this.epoch;
    let settled = false;
    return {
      done: (outcome) => {
        if (settled) return;
        settled = true;
        this.inFlight -= 1;
        if (probe) {
          this.probeOut = false;
          if (outcome.ok) this.probing = false;
        }
        const change = this.learn(outcome, epoch);
        if (change) onChange?.(change);
        this.wake();
      },
    };
  }

  private canStart(): boolean {
    return this.hasRoom() && this.waiting.length === 0;
  }

  private hasRoom(): boolean {
    if (this.probing && this.probeOut) return false;
    return this.inFlight < this.current && this.now() >= this.pausedUntil;
  }

  /** Whether the attempt starting now is the probe after a pause. */
  private takeProbe(): boolean {
    if (!this.probing) return false;
    this.probeOut = true;
    return true;
  }

  private wait(signal: AbortSignal | undefined): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const at = this.waiting.indexOf(waiter);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(signal?.reason);
          this.wake();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiting.push(waiter);
      this.wake();
    });
  }

  /** Starts as many waiting attempts as the limit and any Retry-After pause allow (first come, first served). */
  private wake(): void {
    const now = this.now();
    if (now < this.pausedUntil) {
      if (!this.pauseTimer && this.waiting.length > 0) {
        this.pauseTimer = setTimeout(() => {
          this.pauseTimer = undefined;
          this.wake();
        }, this.pausedUntil - now);
      }
      return;
    }
    while (this.waiting.length > 0 && this.hasRoom()) {
      const next = this.waiting.shift() as Waiter;
      next.signal?.removeEventListener('abort', next.onAbort);
      this.inFlight += 1;
      next.resolve(this.takeProbe());
    }
  }

  private learn(outcome: AttemptOutcome, epoch: number): ConcurrencyChange | null {
    const before = this.current;
    let reason: ConcurrencyChange['reason'] | null = null;
    let status: number | null = null;
    let retryAfterMs: number | null = null;
    if (!outcome.ok) {
      status = outcome.status;
      retryAfterMs = outcome.retryAfterMs;
      if (retryAfterMs !== null && retryAfterMs > 0) {
        this.pausedUntil = Math.max(this.pausedUntil, this.now() + Math.min(retryAfterMs, MAX_PAUSE_MS));
        this.probing = true;
      }
      if (status === 429) reason = 'rate_limited';
      else if (retryAfterMs !== null) reason = 'retry_after';
      if (reason && epoch === this.epoch) this.decrease();
      else reason = null;
    } else if (this.latencyRising(outcome.ttftMs ?? outcome.latencyMs) && epoch === this.epoch) {
      reason = 'latency';
      this.decrease();
    } else {
      this.limit = Math.min(
        this.settings.ceiling,
        this.limit + this.settings.increase / Math.max(1, this.limit),
      );
      reason = 'increase';
    }
    const after = this.current;
    if (after === before || reason === null) return null;
    return {
      endpoint: this.endpoint,
      from: before,
      to: after,
      reason,
      status,
      retryAfterMs,
      inFlight: this.inFlight,
    };
  }

  private decrease(): void {
    this.limit = Math.max(this.settings.floor, this.limit * this.settings.decrease);
    this.epoch += 1;
  }

  /** Smoothed latency against the best smoothed latency seen; true when it rose past the factor. */
  private latencyRising(sampleMs: number): boolean {
    if (this.settings.latencyFactor <= 0) return false;
    this.latency =
      this.latency === null ? sampleMs : this.latency + LATENCY_ALPHA * (sampleMs - this.latency);
    this.latencySamples += 1;
    if (this.latencySamples < LATENCY_WARMUP) return false;
    this.bestLatency = Math.min(this.bestLatency, this.latency);
    if (this.latency <= this.bestLatency * this.settings.latencyFactor) return false;
    // Act once per episode: start the smoothing over from the best.
    this.latency = this.bestLatency;
    return true;
  }
}
