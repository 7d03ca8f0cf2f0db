import type { ConcurrencyEvent, TurnRecord } from '../telemetry/index.js';

/** Model requests and concurrency limits over the run's time, for the report's timeline. */
export interface Throughput {
  /** Seconds per bucket. */
  bucket_s: number;
  /** From the run's first request: requests started, and attempts answered 429, per bucket. */
  buckets: Array<{ t: number; requests: number; rate_limited: number }>;
  /** Each endpoint's adaptive limit as steps: from `t` seconds on, the limit was `limit`. */
  limits: Array<{ endpoint: string; steps: Array<{ t: number; limit: number }> }>;
  requests: number;
  rate_limited: number;
  duration_s: number;
  /** Requests per second: over the whole run, and in the busiest bucket. */
  mean_rate: number;
  peak_rate: number;
  /** Changes of the adaptive limit, with the range it moved in. */
  changes: number;
  limit_range: { ceiling: number; min: number; final: number } | null;
}

/** At most this many points on the timeline. */
const MAX_BUCKETS = 120;

/** Collects request times, 429s and limit changes while the run's files stream past. */
export class ThroughputCollector {
  private readonly perSecond = new Map<number, { requests: number; limited: number }>();
  private readonly changes: Array<{ at: number; endpoint: string; from: number; to: number }> = [];
  private first = Number.POSITIVE_INFINITY;
  private last = Number.NEGATIVE_INFINITY;

  private second(atMs: number) {
    this.first = Math.min(this.first, atMs);
    this.last = Math.max(this.last, atMs);
    const key = Math.floor(atMs / 1000);
    let slot = this.perSecond.get(key);
    if (!slot) {
      slot = { requests: 0, limited: 0 };
      this.perSecond.set(key, slot);
    }
    return slot;
  }

  turn(t: Pick<TurnRecord, 'started_at' | 'latency_ms'>): void {
    const at = Date.parse(t.started_at);
    if (Number.isNaN(at)) return;
    this.second(at).requests += 1;
    this.last = Math.max(this.last, at + (t.latency_ms ?? 0));
  }

  rateLimited(atIso: string): void {
    const at = Date.parse(atIso);
    if (!Number.isNaN(at)) this.second(at).limited += 1;
  }

  concurrency(e: Pick<ConcurrencyEvent, 'at' | 'endpoint' | 'from' | 'to'>): void {
    const at = Date.parse(e.at);
    if (!Number.isNaN(at)) this.changes.push({ at, endpoint: e.endpoint, from: e.from, to: e.to });
  }

  result(): Throughput {
    if (!Number.isFinite(this.first)) {
      return {
        bucket_s: 1,
        buckets: [],
        limits: [],
        requests: 0,
        rate_limited: 0,
        duration_s: 0,
        mean_rate: 0,
        peak_rate: 0,
        changes: 0,
        limit_range: null,
      };
    }
    const startS = Math.floor(this.first / 1000);
    const spanS = Math.max(1, Math.ceil(this.last / 1000) - startS);
    const bucketS = Math.max(1, Math.ceil(spanS / MAX_BUCKETS));
    const buckets: Throughput['buckets'] = [];
    for (let i = 0; i * bucketS < spanS; i++) buckets.push({ t: i * bucketS, requests: 0, rate_limited: 0 });
    let requests = 0;
    let limited = 0;
    for (const [second, slot] of this.perSecond) {
      const bucket = buckets[Math.min(buckets.length - 1, Math.floor((second - startS) / bucketS))];
      if (!bucket) continue;
      bucket.requests += slot.requests;
      bucket.rate_limited += slot.limited;
      requests += slot.requests;
      limited += slot.limited;
    }
    const durationS = Math.max(0.001, (this.last - this.first) / 1000);
    this.changes.sort((a, b) => a.at - b.at);
    const byEndpoint = new Map<string, Array<{ t: number; limit: number }>>();
    for (const c of this.changes) {
      let steps = byEndpoint.get(c.endpoint);
      if (!steps) {
        steps = [{ t: 0, limit: c.from }];
        byEndpoint.set(c.endpoint, steps);
      }
      steps.push({ t: Math.round((c.at - this.first) / 100) / 10, limit: c.to });
    }
    const all = [...byEndpoint.values()].flat();
    const firstSteps = [...byEndpoint.values()][0];
    return {
      bucket_s: bucketS,
      buckets,
      limits: [...byEndpoint].map(([endpoint, steps]) => ({ endpoint, steps })),
      requests,
      rate_limited: limited,
      duration_s: Math.round(durationS * 10) / 10,
      mean_rate: requests / durationS,
      peak_rate: Math.max(0, ...buckets.map((b) => b.requests / bucketS)),
      changes: this.changes.length,
      limit_range: firstSteps
        ? {
            ceiling: Math.max(...all.map((s) => s.limit)),
            min: Math.min(...all.map((s) => s.limit)),
            final: firstSteps.at(-1)?.limit ?? 0,
          }
        : null,
    };
  }
}
