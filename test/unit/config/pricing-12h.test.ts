import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  costUsd,
  loadPricing,
  type ModelPrice,
  ModelPriceSchema,
  priceFor,
  type UsageForCost,
} from '../../../src/config/pricing.js';

const tmp = mkdtempSync(join(tmpdir(), 'turnbench-pricing-12h-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** GPT-6.2 Sol's official rates: 30-minute writes $2.50, 12-hour writes $5; doubled over 272K. */
const sol62: ModelPrice = {
  input: 2,
  cached_input: 0.1,
  cache_write: 2.5,
  cache_write_12h: 5,
  output: 10,
  long_context: {
    above_input_tokens: 272_000,
    input: 4,
    cached_input: 0.2,
    cache_write: 5,
    cache_write_12h: 10,
    output: 15,
  },
};

const usage = (over: Partial<UsageForCost>): UsageForCost => ({
  inputTokens: 100_000,
  cachedTokens: 60_000,
  cacheWriteTokens: 30_000,
  cacheWrite12hTokens: 20_000,
  outputTokens: 1_000,
  ...over,
});

describe('costUsd: 12-hour cache writes', () => {
  it('bills the 12-hour part of the writes at cache_write_12h and the rest at cache_write', () => {
    // (10000*2 + 60000*0.1 + 10000*2.5 + 20000*5 + 1000*10) / 1e6
    expect(costUsd(sol62, usage({}))).toBeCloseTo((20_000 + 6_000 + 25_000 + 100_000 + 10_000) / 1e6, 12);
  });

  it('bills a long-context request at the long 12-hour rate', () => {
    const long = usage({ inputTokens: 300_000, cachedTokens: 200_000, cacheWriteTokens: 50_000 });
    // 50000 uncached *4 + 200000*0.2 + 30000 (30-minute) *5 + 20000 (12-hour) *10 + 1000*15
    expect(costUsd(sol62, long)).toBeCloseTo((200_000 + 40_000 + 150_000 + 200_000 + 15_000) / 1e6, 12);
  });

  it('without a 12-hour rate bills every write at cache_write (the documented under-count)', () => {
    const { cache_write_12h: _short, long_context, ...rest } = sol62;
    const { cache_write_12h: _long, ...longRest } = long_context ?? sol62;
    const no12h: ModelPrice = { ...rest, long_context: { ...longRest, above_input_tokens: 272_000 } };
    // short: (10000*2 + 60000*0.1 + 30000*2.5 + 1000*10) / 1e6
    expect(costUsd(no12h, usage({}))).toBeCloseTo((20_000 + 6_000 + 75_000 + 10_000) / 1e6, 12);
    // long: (50000*4 + 200000*0.2 + 50000*5 + 1000*15) / 1e6
    const long = usage({ inputTokens: 300_000, cachedTokens: 200_000, cacheWriteTokens: 50_000 });
    expect(costUsd(no12h, long)).toBeCloseTo((200_000 + 40_000 + 250_000 + 15_000) / 1e6, 12);
  });

  it('without any write rate bills every write as input', () => {
    const flat: ModelPrice = { input: 2, cached_input: 0.1, output: 10 };
    // (40000*2 + 60000*0.1 + 1000*10) / 1e6: the 30,000 writes are input like the 10,000 uncached
    expect(costUsd(flat, usage({}))).toBeCloseTo((80_000 + 6_000 + 10_000) / 1e6, 12);
  });

  it('bills all writes at cache_write when the 12-hour part is unknown, and never more 12-hour writes than writes', () => {
    // unknown split: (10000*2 + 60000*0.1 + 30000*2.5 + 1000*10) / 1e6
    expect(costUsd(sol62, usage({ cacheWrite12hTokens: null }))).toBeCloseTo(
      (20_000 + 6_000 + 75_000 + 10_000) / 1e6,
      12,
    );
    // a 12-hour part above the total is capped at the total: 30000*5
    expect(costUsd(sol62, usage({ cacheWrite12hTokens: 90_000 }))).toBeCloseTo(
      (20_000 + 6_000 + 150_000 + 10_000) / 1e6,
      12,
    );
  });
});

describe('pricing schema: cache_write_12h', () => {
  it('accepts the rate on a model and on its long-context tier', () => {
    expect(ModelPriceSchema.parse(sol62)).toEqual(sol62);
  });

  it('refuses a 12-hour rate without the 30-minute one, naming the field', () => {
    const r = ModelPriceSchema.safeParse({ input: 2, cached_input: 0.1, cache_write_12h: 5, output: 10 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['cache_write']);
    expect(r.error?.issues[0]?.message).toMatch(/cache_write_12h/);
  });

  it('names the file and field when a long-context tier leaves out a 12-hour rate the model has', async () => {
    const file = join(tmp, 'bad-12h.yaml');
    writeFileSync(
      file,
      [
        'models:',
        '  m:',
        '    { input: 2, cached_input: 0.1, cache_write: 2.5, cache_write_12h: 5, output: 10,',
        '      long_context: { above_input_tokens: 272000, input: 4, cached_input: 0.2, cache_write: 5, output: 15 } }',
        '',
      ].join('\n'),
    );
    await expect(loadPricing(file)).rejects.toThrow(
      /bad-12h\.yaml: field models\.m\.long_context\.cache_write_12h: /,
    );
  });

  it('refuses a negative 12-hour rate', () => {
    expect(ModelPriceSchema.safeParse({ ...sol62, cache_write_12h: -1 }).success).toBe(false);
  });
});

describe('the shipped table', () => {
  it("gives GPT-6.2 Sol OpenAI's 12-hour write rate: $5 short-context, $10 over 272K", async () => {
    const p = await loadPricing();
    const price = priceFor(p, 'gpt-6.2-sol');
    expect(price?.cache_write_12h).toBe(5);
    expect(price?.long_context?.cache_write_12h).toBe(10);
  });

  it('states a 12-hour rate for no other model (no official page gives one)', async () => {
    const p = await loadPricing();
    const with12h = Object.entries(p.models)
      .filter(([, price]) => price.cache_write_12h !== undefined)
      .map(([key]) => key);
    expect(with12h).toEqual(['gpt-6.2-sol*']);
  });
});
