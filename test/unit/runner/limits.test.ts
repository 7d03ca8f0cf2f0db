import { describe, expect, it } from 'vitest';
import type { ModelClient } from '../../../src/model/index.js';
import { limitModelClient, ShardSchema, shardSamples, TokenBudget } from '../../../src/runner/index.js';
import { resetLimiters } from '../../../src/runner/model-limits.js';

describe('shards', () => {
  it('splits deterministically into disjoint parts whose union is everything', () => {
    const all = Array.from({ length: 11 }, (_, i) => `s${i}`);
    const parts = [1, 2, 3].map((index) => shardSamples(all, { index, count: 3 }));
    expect(parts.map((p) => p.length)).toEqual([4, 4, 3]);
    expect(parts.flat().sort()).toEqual([...all].sort());
    expect(shardSamples(all, { index: 2, count: 3 })).toEqual(parts[1]);
  });

  it('parses i/n and rejects nonsense', () => {
    expect(ShardSchema.parse('2/4')).toEqual({ index: 2, count: 4 });
    expect(ShardSchema.safeParse('0/4').success).toBe(false);
    expect(ShardSchema.safeParse('5/4').success).toBe(false);
    expect(ShardSchema.safeParse('two').success).toBe(false);
  });
});

describe('token budget', () => {
  it('admits spend until the minute is full, then waits for the oldest spend to expire', () => {
    let now = 0;
    const budget = new TokenBudget(1000, () => now);
    expect(budget.waitFor(600)).toBe(0);
    budget.record(600);
    now = 10_000;
    expect(budget.waitFor(300)).toBe(0);
    budget.record(300);
    expect(budget.waitFor(300)).toBe(50_000); // the 600 from t=0 leaves the window at t=60s
    now = 60_000;
    expect(budget.waitFor(300)).toBe(0);
  });

  it('corrects an estimate with the real usage', () => {
    const now = 0;
    const budget = new TokenBudget(1000, () => now);
    budget.record(900).correct(100);
    expect(budget.waitFor(800)).toBe(0);
  });

  it('never blocks a request larger than the whole budget when the window is empty', () => {
    const budget = new TokenBudget(100, () => 0);
    expect(budget.waitFor(5000)).toBe(0);
  });
});

describe('per-endpoint model request limits', () => {
  it('never has more requests in flight than the endpoint allows, across clients of that endpoint', async () => {
    resetLimiters();
    let inFlight = 0;
    let peak = 0;
    const slow: ModelClient = {
      provider: 'fake',
      api: 'responses',
      async respond() {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight -= 1;
        return {
          id: 'r',
          model: 'm',
          output: [],
          usage: {
            inputTokens: 10,
            cachedTokens: 0,
            cacheWriteTokens: 0,
            cacheWrite12hTokens: null,
            outputTokens: 1,
            reasoningTokens: 0,
          },
          ttftMs: null,
          latencyMs: 5,
          bytesSent: 10,
          cacheDiagnostics: null,
          retries: 0,
        };
      },
    };
    const a = limitModelClient(slow, 'http://endpoint/v1', { concurrency: 2 });
    const b = limitModelClient(slow, 'http://endpoint/v1', { concurrency: 2 });
    const request = {
      model: 'm',
      instructions: 'i',
      tools: [],
      input: [],
      store: false,
      parallelToolCalls: true,
    };
    await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).respond(request)));
    expect(peak).toBe(2);
    // without limits the client is returned as it is
    expect(limitModelClient(slow, 'x', {})).toBe(slow);
  });
});
