import { describe, expect, it } from 'vitest';
import type { Admission, ConcurrencyChange } from '../../../src/model/index.js';
import { AdaptiveLimiter, type AdaptiveSettings } from '../../../src/runner/adaptive-limit.js';

const settings = (over: Partial<AdaptiveSettings> = {}): AdaptiveSettings => ({
  ceiling: 8,
  floor: 1,
  increase: 1,
  decrease: 0.5,
  latencyFactor: 0,
  ...over,
});

const ok = (ms = 100) => ({ ok: true as const, latencyMs: ms, ttftMs: ms });
const limited = (retryAfterMs: number | null = null) => ({ ok: false as const, status: 429, retryAfterMs });

/** Whether the promise settles within `withinMs`. */
async function state(p: Promise<unknown>, withinMs = 5): Promise<'settled' | 'pending'> {
  return Promise.race([
    p.then(() => 'settled' as const),
    new Promise<'pending'>((r) => setTimeout(() => r('pending'), withinMs)),
  ]);
}

describe('AdaptiveLimiter', () => {
  it('admits up to the ceiling, then makes the next attempt wait for a slot', async () => {
    const limiter = new AdaptiveLimiter('e', settings({ ceiling: 2 }));
    const a = await limiter.admit();
    await limiter.admit();
    const third = limiter.admit();
    expect(await state(third)).toBe('pending');
    a.done(ok());
    expect(await state(third)).toBe('settled');
    expect(limiter.active).toBe(2);
  });

  it('halves once per burst of 429s: attempts admitted before the decrease cannot decrease again', async () => {
    const limiter = new AdaptiveLimiter('e', settings());
    const changes: ConcurrencyChange[] = [];
    const burst: Admission[] = [];
    for (let i = 0; i < 8; i++) burst.push(await limiter.admit(undefined, (c) => changes.push(c)));
    for (const a of burst) a.done(limited());
    expect(limiter.current).toBe(4);
    expect(changes).toEqual([
      { endpoint: 'e', from: 8, to: 4, reason: 'rate_limited', status: 429, retryAfterMs: null, inFlight: 7 },
    ]);
    // an attempt admitted after the decrease does count
    const next = await limiter.admit(undefined, (c) => changes.push(c));
    next.done(limited());
    expect(limiter.current).toBe(2);
    expect(changes.at(-1)).toMatchObject({ from: 4, to: 2 });
  });

  it('climbs back one step per window of successes, up to the ceiling, never below the floor', async () => {
    const limiter = new AdaptiveLimiter('e', settings({ ceiling: 4, floor: 2 }));
    for (let i = 0; i < 3; i++) (await limiter.admit()).done(limited());
    expect(limiter.current).toBe(2); // 4 -> 2 -> floor 2
    const changes: ConcurrencyChange[] = [];
    for (let i = 0; i < 20; i++) (await limiter.admit(undefined, (c) => changes.push(c))).done(ok());
    expect(limiter.current).toBe(4);
    expect(changes.map((c) => [c.from, c.to, c.reason])).toEqual([
      [2, 3, 'increase'],
      [3, 4, 'increase'],
    ]);
  });

  it('holds new attempts back for a Retry-After', async () => {
    let now = 1_000;
    const limiter = new AdaptiveLimiter('e', settings(), () => now);
    (await limiter.admit()).done(limited(30));
    const waiting = limiter.admit();
    expect(await state(waiting)).toBe('pending');
    now += 30;
    expect(await state(waiting, 500)).toBe('settled'); // the pause timer woke it
  });

  it('treats a Retry-After on another status as a decrease signal too', async () => {
    const limiter = new AdaptiveLimiter('e', settings());
    const changes: ConcurrencyChange[] = [];
    (await limiter.admit(undefined, (c) => changes.push(c))).done({
      ok: false,
      status: 503,
      retryAfterMs: 0,
    });
    expect(changes[0]).toMatchObject({ reason: 'retry_after', status: 503, from: 8, to: 4 });
    // a 500 without Retry-After says nothing about load
    (await limiter.admit()).done({ ok: false, status: 500, retryAfterMs: null });
    expect(limiter.current).toBe(4);
  });

  it('decreases when time to first token rises well past its best', async () => {
    const limiter = new AdaptiveLimiter('e', settings({ latencyFactor: 3 }));
    const changes: ConcurrencyChange[] = [];
    for (let i = 0; i < 10; i++) (await limiter.admit()).done(ok(100));
    expect(limiter.current).toBe(8);
    for (let i = 0; i < 20 && changes.length === 0; i++) {
      (await limiter.admit(undefined, (c) => changes.push(c))).done(ok(2_000));
    }
    expect(changes[0]).toMatchObject({ reason: 'latency', from: 8, to: 4 });
  });

  it('lets an attempt waiting for a slot be aborted, and the queue moves on', async () => {
    const limiter = new AdaptiveLimiter('e', settings({ ceiling: 1 }));
    const first = await limiter.admit();
    const abort = new AbortController();
    const aborted = limiter.admit(abort.signal);
    const after = limiter.admit();
    abort.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    first.done(ok());
    expect(await state(after)).toBe('settled');
    expect(limiter.active).toBe(1);
  });
});
