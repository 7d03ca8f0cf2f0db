/**
 * A request-rate limit like a provider's: a bucket refilled at `rate` requests per second that holds
 * one second of them. Every request takes one from it, admitted or not: a rejected request drives
 * the bucket into debt (down to one second's worth), so a client that keeps retrying into the limit
 * pushes back the moment anyone gets through.
 */
export class RequestRateLimit {
  private tokens: number | null = null;
  private at = 0;
  private firstMs: number | null = null;

  /**
   * Null when the request is admitted; else the seconds until the bucket has room again. With
   * `forS`, the limit holds only that long after the first request it saw.
   */
  take(rate: number, nowMs: number, forS?: number): number | null {
    this.firstMs ??= nowMs;
    if (forS !== undefined && nowMs - this.firstMs >= forS * 1000) return null;
    const capacity = Math.max(1, rate);
    const elapsedS = this.tokens === null ? 0 : Math.max(0, nowMs - this.at) / 1000;
    this.tokens = Math.min(capacity, (this.tokens ?? capacity) + elapsedS * rate);
    this.at = nowMs;
    const admitted = this.tokens >= 1;
    this.tokens = Math.max(-capacity, this.tokens - 1);
    return admitted ? null : (1 - this.tokens) / rate;
  }
}

/**
 * The `requests_per_s` fault for one request, whatever the transport: null when admitted, else the
 * Retry-After in seconds for its 429.
 */
export function rateLimitWait(
  ctx: { rateLimit: RequestRateLimit; now: () => number },
  faults: { requests_per_s?: number | undefined; requests_per_s_for_s?: number | undefined } | null,
): number | null {
  if (faults?.requests_per_s === undefined) return null;
  const waitS = ctx.rateLimit.take(faults.requests_per_s, ctx.now(), faults.requests_per_s_for_s);
  return waitS === null ? null : Math.round(waitS * 1000) / 1000;
}
