import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  costUsd,
  loadPricing,
  type ModelPrice,
  type Pricing,
  priceFor,
  pricingKeyFor,
} from '../../../src/config/pricing.js';
import { build, fixture } from '../ingest/helpers.js';

/** The installed openai package (its type files are the reference for model names). */
const sdkRoot = () => dirname(createRequire(import.meta.url).resolve('openai'));

const tmp = mkdtempSync(join(tmpdir(), 'turnbench-pricing-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** One request's usage with no cache writes: `inputTokens` in all, `cachedTokens` of them read from cache. */
const requestUsage = (inputTokens: number, cachedTokens: number, outputTokens: number) => ({
  inputTokens,
  cachedTokens,
  cacheWriteTokens: null,
  cacheWrite12hTokens: null,
  outputTokens,
});

describe('pricing table', () => {
  it('loads the shipped table with the sim models and OpenAI models', async () => {
    const p = await loadPricing();
    expect(priceFor(p, 'sim-1')).toEqual({ input: 1.25, cached_input: 0.125, output: 10 });
    expect(priceFor(p, 'gpt-5-mini')?.input).toBe(0.25);
  });

  it('prices the models Codex CLI 0.17x sessions use, and the mini tiers apart from their family', async () => {
    const p = await loadPricing();
    expect(priceFor(p, 'gpt-5.5')?.input).toBe(5);
    expect(priceFor(p, 'gpt-5.3-codex')?.output).toBe(14);
    expect(priceFor(p, 'gpt-5.4')?.input).toBe(2.5);
    expect(priceFor(p, 'gpt-5.4-mini')?.input).toBe(0.75);
  });

  it('prices the Pro tiers at their own rates, not at their family prefix', async () => {
    const p = await loadPricing();
    const rates = (model: string) => {
      const price = priceFor(p, model);
      return price && [price.input, price.cached_input, price.output];
    };
    expect(rates('gpt-5-pro')).toEqual([15, 15, 120]);
    expect(rates('gpt-5-pro-2025-10-06')).toEqual([15, 15, 120]);
    expect(rates('gpt-5.2-pro')).toEqual([21, 21, 168]);
    expect(rates('gpt-5.4-pro')).toEqual([30, 30, 180]);
    expect(rates('gpt-5.5-pro')).toEqual([30, 30, 180]);
    // the families keep theirs
    expect(rates('gpt-5-codex')).toEqual([1.25, 0.125, 10]);
    expect(rates('gpt-5.4')).toEqual([2.5, 0.25, 15]);
  });

  it('bills a GPT-5.4 request over 272K input tokens at the long-context rates, the whole request', async () => {
    const p = await loadPricing();
    const usage = (inputTokens: number) => requestUsage(inputTokens, 100_000, 1_000);
    const price = priceFor(p, 'gpt-5.4-2026-03-05');
    // 172,000 uncached at $2.50, 100,000 cached at $0.25, 1,000 out at $15: exactly 272K is short
    expect(costUsd(price, usage(272_000))).toBeCloseTo(
      (172_000 * 2.5 + 100_000 * 0.25 + 1_000 * 15) / 1e6,
      12,
    );
    // one token more: every token at $5 / $0.50 / $22.50
    expect(costUsd(price, usage(272_001))).toBeCloseTo(
      (172_001 * 5 + 100_000 * 0.5 + 1_000 * 22.5) / 1e6,
      12,
    );
  });

  it('bills a GPT-5.5 request over 272K input tokens at $10 / $1 / $45, the whole request; Pro keeps its own row', async () => {
    const p = await loadPricing();
    const usage = (inputTokens: number) => requestUsage(inputTokens, 200_000, 2_000);
    const price = priceFor(p, 'gpt-5.5');
    expect(costUsd(price, usage(272_000))).toBeCloseTo((72_000 * 5 + 200_000 * 0.5 + 2_000 * 30) / 1e6, 12);
    expect(costUsd(price, usage(300_000))).toBeCloseTo((100_000 * 10 + 200_000 * 1 + 2_000 * 45) / 1e6, 12);
    expect(priceFor(p, 'gpt-5.5-pro')?.long_context).toBeUndefined();
  });

  it('matches exact names first, then the longest prefix', () => {
    const p: Pricing = {
      models: {
        'gpt-x': { input: 1, cached_input: 0.1, output: 2 },
        'gpt-x*': { input: 3, cached_input: 0.3, output: 6 },
        'gpt-x-mini*': { input: 5, cached_input: 0.5, output: 10 },
      },
    };
    expect(priceFor(p, 'gpt-x')?.input).toBe(1);
    expect(priceFor(p, 'gpt-x-2025')?.input).toBe(3);
    expect(priceFor(p, 'gpt-x-mini-2025')?.input).toBe(5);
    expect(priceFor(p, 'other')).toBeNull();
  });

  it('a user file extends and overrides the shipped table', async () => {
    const file = join(tmp, 'mine.yaml');
    writeFileSync(
      file,
      'models:\n  sim-1: { input: 2, cached_input: 0.2, output: 4 }\n  my-model*: { input: 9, cached_input: 1, output: 9 }\n',
    );
    const p = await loadPricing(file);
    expect(priceFor(p, 'sim-1')?.input).toBe(2);
    expect(priceFor(p, 'my-model-7b')?.input).toBe(9);
    expect(priceFor(p, 'gpt-4.1')?.input).toBe(2);
  });

  it('names the file and field of a bad pricing file', async () => {
    const file = join(tmp, 'bad.yaml');
    writeFileSync(file, 'models:\n  m: { input: "cheap", cached_input: 0, output: 1 }\n');
    await expect(loadPricing(file)).rejects.toThrow(/bad\.yaml: field models\.m\.input/);
  });

  it('computes cost: uncached + cached + writes + output, per million', () => {
    const price = { input: 2, cached_input: 0.5, output: 8 };
    // 10k input of which 6k cached, 1k written (billed as input: no write price), 500 output:
    // (3000*2 + 6000*0.5 + 1000*2 + 500*8) / 1e6 = (6000 + 3000 + 2000 + 4000) / 1e6
    expect(
      costUsd(price, {
        inputTokens: 10_000,
        cachedTokens: 6000,
        cacheWriteTokens: 1000,
        cacheWrite12hTokens: null,
        outputTokens: 500,
      }),
    ).toBeCloseTo(0.015, 12);
    // With a write price: 1000 * 2.5 instead of 1000 * 2.
    expect(
      costUsd(
        { ...price, cache_write: 2.5 },
        {
          inputTokens: 10_000,
          cachedTokens: 6000,
          cacheWriteTokens: 1000,
          cacheWrite12hTokens: null,
          outputTokens: 500,
        },
      ),
    ).toBeCloseTo(0.0155, 12);
    // Unknown cached counts as uncached.
    expect(
      costUsd(price, {
        inputTokens: 1000,
        cachedTokens: null,
        cacheWriteTokens: null,
        cacheWrite12hTokens: null,
        outputTokens: 0,
      }),
    ).toBeCloseTo(0.002, 12);
    expect(
      costUsd(null, {
        inputTokens: 1,
        cachedTokens: 0,
        cacheWriteTokens: 0,
        cacheWrite12hTokens: null,
        outputTokens: 1,
      }),
    ).toBeNull();
  });
});

/** GPT-5.6 and later: the official long-context rule, 2x input and cache rates, 1.5x output. */
const longOf = (p: ModelPrice) => ({
  above_input_tokens: 272_000,
  input: p.input * 2,
  cached_input: p.cached_input * 2,
  ...(p.cache_write === undefined ? {} : { cache_write: p.cache_write * 2 }),
  ...(p.cache_write_12h === undefined ? {} : { cache_write_12h: p.cache_write_12h * 2 }),
  output: p.output * 1.5,
});
const rates = (p: ModelPrice | null) =>
  p && { input: p.input, cached_input: p.cached_input, cache_write: p.cache_write, output: p.output };

describe('the models Codex sessions use (Dec 2026)', () => {
  it('prices GPT-5.6 Sol/Terra/Luna, GPT-6 Astra/Sol/Luna, GPT-6.1 Sol/Terra and GPT-6.2 Astra/Sol', async () => {
    const p = await loadPricing();
    expect(rates(priceFor(p, 'gpt-5.6-sol'))).toEqual({
      input: 4,
      cached_input: 0.4,
      cache_write: 5,
      output: 20,
    });
    expect(rates(priceFor(p, 'gpt-5.6-terra'))).toEqual({
      input: 2,
      cached_input: 0.2,
      cache_write: 2.5,
      output: 12,
    });
    expect(rates(priceFor(p, 'gpt-5.6-luna'))).toEqual({
      input: 0.2,
      cached_input: 0.02,
      cache_write: 0.25,
      output: 1.2,
    });
    expect(rates(priceFor(p, 'gpt-6-astra'))).toEqual({
      input: 10,
      cached_input: 1,
      cache_write: 12.5,
      output: 50,
    });
    expect(rates(priceFor(p, 'gpt-6-sol'))).toEqual({
      input: 2,
      cached_input: 0.2,
      cache_write: 2.5,
      output: 10,
    });
    expect(rates(priceFor(p, 'gpt-6-luna'))).toEqual({
      input: 0.1,
      cached_input: 0.01,
      cache_write: 0.125,
      output: 0.5,
    });
    expect(rates(priceFor(p, 'gpt-6.1-sol'))).toEqual({
      input: 2,
      cached_input: 0.1,
      cache_write: 2.5,
      output: 10,
    });
    expect(rates(priceFor(p, 'gpt-6.1-terra'))).toEqual({
      input: 1,
      cached_input: 0.05,
      cache_write: 1.25,
      output: 5,
    });
    expect(rates(priceFor(p, 'gpt-6.2-astra'))).toEqual({
      input: 8,
      cached_input: 0.4,
      cache_write: 10,
      output: 40,
    });
    expect(rates(priceFor(p, 'gpt-6.2-sol'))).toEqual({
      input: 2,
      cached_input: 0.1,
      cache_write: 2.5,
      output: 10,
    });
    // the `gpt-5.6` alias routes to Sol
    expect(priceFor(p, 'gpt-5.6')).toEqual(priceFor(p, 'gpt-5.6-sol'));
  });

  it('prices a dated snapshot as its model, and never one model at a sibling or an older generation', async () => {
    const p = await loadPricing();
    expect(priceFor(p, 'gpt-6-sol-2026-09-22')).toBe(priceFor(p, 'gpt-6-sol'));
    expect(priceFor(p, 'gpt-6.1-sol-2026-09-29')).toBe(priceFor(p, 'gpt-6.1-sol'));
    expect(priceFor(p, 'gpt-6.1-sol')).not.toBe(priceFor(p, 'gpt-6-sol'));
    expect(priceFor(p, 'gpt-6.2-astra')).not.toBe(priceFor(p, 'gpt-6-astra'));
    expect(priceFor(p, 'gpt-5.6-luna')).not.toBe(priceFor(p, 'gpt-5.6-sol'));
    // every key of the new generations matches its own name and a dated name of it, nothing shorter
    const newer = Object.keys(p.models).filter((k) => /^gpt-(5\.6|6)/.test(k) && k !== 'gpt-5.6-sim');
    expect(newer.length).toBeGreaterThanOrEqual(11);
    for (const key of newer) {
      const name = key.replace(/\*$/, '');
      expect(priceFor(p, name), key).toBe(p.models[key]);
      if (key.endsWith('*')) expect(priceFor(p, `${name}-2026-12-01`), key).toBe(p.models[key]);
    }
    // a model the table does not know stays unpriced rather than borrowing a relative's price
    for (const unknown of [
      'gpt-6',
      'gpt-6-terra',
      'gpt-6.1-luna',
      'gpt-6.3-sol',
      'gpt-5.6-codex',
      'gpt-7-sol',
    ]) {
      expect(priceFor(p, unknown), unknown).toBeNull();
    }
    // the sim's gpt-5.6-like model keeps the demo price the old `gpt-5.6*` placeholder gave it
    expect(rates(priceFor(p, 'gpt-5.6-sim'))).toEqual({
      input: 1.75,
      cached_input: 0.175,
      cache_write: 2.1875,
      output: 14,
    });
  });

  it("prices each model of the openai SDK's model list by its own row, a dated snapshot's, or not at all", async () => {
    const p = await loadPricing();
    const types = readFileSync(join(sdkRoot(), 'resources', 'shared.d.ts'), 'utf8');
    const models = new Set<string>();
    for (const name of ['ChatModel', 'ResponsesModel', 'AllModels']) {
      const union = new RegExp(`export type ${name} = ([^;]+);`).exec(types)?.[1];
      expect(union, name).toBeDefined();
      for (const m of union!.matchAll(/'([a-z0-9.-]+)'/g)) models.add(m[1]!);
    }
    expect(models.size).toBeGreaterThan(100);
    // A `prefix*` key prices its own name, that name's dated snapshots, and variants OpenAI's pages
    // price as the model itself; any other name it catches borrows a relative's price.
    const samePriceVariant = [
      /^-latest$/, // an alias of the model
      /^-chat-latest$/, // gpt-5-chat-latest, gpt-5.2-chat-latest: their model's rates
      /^-codex$/, // gpt-5-codex: GPT-5's rates
      /^-(audio|search)-preview$/, // gpt-4o(-mini) previews: text tokens at their model's rates
    ];
    const borrowed: string[] = [];
    for (const model of models) {
      const key = pricingKeyFor(p, model);
      if (key === null || key === model) continue;
      const name = key.slice(0, -1).replace(/-(20)?$/, ''); // `gpt-5-*` and `gpt-6.2-astra-20*` name gpt-5, gpt-6.2-astra
      const stem = model.replace(/-\d{4}-\d{2}-\d{2}$/, '');
      const variant = stem.slice(name.length);
      if (variant !== '' && !samePriceVariant.some((re) => re.test(variant)))
        borrowed.push(`${model} <- ${key}`);
    }
    expect(borrowed).toEqual([]);
    // the rows this check asked for
    expect(pricingKeyFor(p, 'gpt-6.2-astra-law')).toBeNull();
    expect(pricingKeyFor(p, 'gpt-5.1-mini')).toBeNull();
    expect(rates(priceFor(p, 'o4-mini-deep-research-2025-06-26'))).toEqual({
      input: 2,
      cached_input: 0.5,
      output: 8,
    });
    expect(rates(priceFor(p, 'codex-mini-latest'))).toEqual({ input: 1.5, cached_input: 0.375, output: 6 });
    expect(priceFor(p, 'gpt-5.1-codex-max')).toEqual(priceFor(p, 'gpt-5.1'));
    expect(priceFor(p, 'gpt-5.1-2025-11-13')).toEqual(priceFor(p, 'gpt-5.1'));
  });

  it('gives every GPT-5.6 and later model the official long-context tier: over 272K input, 2x input and cache, 1.5x output', async () => {
    const p = await loadPricing();
    const newer = Object.entries(p.models).filter(([k]) => /^gpt-(5\.6|6)/.test(k) && k !== 'gpt-5.6-sim');
    for (const [key, price] of newer) {
      const { long_context, ...base } = price;
      const expected = longOf(base);
      expect(Object.keys(long_context ?? {}).sort(), key).toEqual(Object.keys(expected).sort());
      for (const [field, value] of Object.entries(expected)) {
        expect(long_context?.[field as keyof typeof expected], `${key} ${field}`).toBeCloseTo(value, 12);
      }
    }
  });

  it('ingest prices the gpt-6-luna requests of a real Codex 0.171 log', async () => {
    const p = await loadPricing();
    const { turns, warnings } = await build([
      { file: fixture('base-instructions', 'codex-0.171.0-in-history.jsonl') },
    ]);
    expect(warnings.filter((w) => w.startsWith('no price'))).toEqual([]);
    const luna = turns.filter((t) => t.model === 'gpt-6-luna');
    expect(luna.length).toBeGreaterThan(0);
    for (const t of luna) {
      const expected = costUsd(priceFor(p, 'gpt-6-luna'), {
        inputTokens: t.input_tokens,
        cachedTokens: t.cached_tokens,
        cacheWriteTokens: t.cache_write_tokens,
        cacheWrite12hTokens: t.cache_write_12h_tokens,
        outputTokens: t.output_tokens,
      });
      expect(t.cost_usd).not.toBeNull();
      expect(t.cost_usd).toBeCloseTo(expected ?? -1, 12);
    }
  });
});

describe('long-context pricing', () => {
  const price: ModelPrice = {
    input: 2,
    cached_input: 0.1,
    cache_write: 2.5,
    output: 10,
    long_context: { above_input_tokens: 272_000, input: 4, cached_input: 0.2, cache_write: 5, output: 15 },
  };

  it('bills the whole request at the long-context rates only above the threshold, on total input tokens', () => {
    const usage = (inputTokens: number) => ({
      inputTokens,
      cachedTokens: 200_000,
      cacheWriteTokens: 10_000,
      cacheWrite12hTokens: null,
      outputTokens: 1_000,
    });
    // below: (12000*2 + 200000*0.1 + 10000*2.5 + 1000*10) / 1e6
    expect(costUsd(price, usage(222_000))).toBeCloseTo((24_000 + 20_000 + 25_000 + 10_000) / 1e6, 12);
    // exactly 272,000: still short-context: (62000*2 + 200000*0.1 + 10000*2.5 + 1000*10) / 1e6
    expect(costUsd(price, usage(272_000))).toBeCloseTo((124_000 + 20_000 + 25_000 + 10_000) / 1e6, 12);
    // one more token: every token of the request at the long rates, not only the ones above the line
    // (62001*4 + 200000*0.2 + 10000*5 + 1000*15) / 1e6
    expect(costUsd(price, usage(272_001))).toBeCloseTo((248_004 + 40_000 + 50_000 + 15_000) / 1e6, 12);
    // the threshold counts cached input too: 290,000 of 300,000 cached is still a long request
    expect(
      costUsd(price, {
        inputTokens: 300_000,
        cachedTokens: 290_000,
        cacheWriteTokens: 0,
        cacheWrite12hTokens: null,
        outputTokens: 0,
      }),
    ).toBeCloseTo((10_000 * 4 + 290_000 * 0.2) / 1e6, 12);
  });

  it('bills long-context cache writes at the long input rate when the model bills no writes', () => {
    const noWrites: ModelPrice = {
      input: 1,
      cached_input: 0.5,
      output: 4,
      long_context: { above_input_tokens: 1000, input: 3, cached_input: 0.75, output: 6 },
    };
    // exactly at its threshold: short rates, 1000 * 1
    expect(
      costUsd(noWrites, {
        inputTokens: 1000,
        cachedTokens: 0,
        cacheWriteTokens: 0,
        cacheWrite12hTokens: null,
        outputTokens: 0,
      }),
    ).toBeCloseTo(0.001, 12);
    expect(
      costUsd(noWrites, {
        inputTokens: 1001,
        cachedTokens: 400,
        cacheWriteTokens: 100,
        cacheWrite12hTokens: null,
        outputTokens: 10,
      }),
    ).toBeCloseTo((501 * 3 + 400 * 0.75 + 100 * 3 + 10 * 6) / 1e6, 12);
  });

  it('prices the shipped gpt-6-sol over 272K at its long-context rates', async () => {
    const p = await loadPricing();
    const sol = priceFor(p, 'gpt-6-sol-2026-09-22');
    // 400,000 input of which 300,000 cached and 20,000 written, 5,000 output:
    // (80000*4 + 300000*0.4 + 20000*5 + 5000*15) / 1e6
    expect(
      costUsd(sol, {
        inputTokens: 400_000,
        cachedTokens: 300_000,
        cacheWriteTokens: 20_000,
        cacheWrite12hTokens: null,
        outputTokens: 5_000,
      }),
    ).toBeCloseTo((320_000 + 120_000 + 100_000 + 75_000) / 1e6, 12);
  });

  it('a user pricing file sets the tier on a model of its own and replaces a shipped model whole', async () => {
    const file = join(tmp, 'long.yaml');
    writeFileSync(
      file,
      [
        'models:',
        '  my-model*:',
        '    input: 1',
        '    cached_input: 0.1',
        '    output: 2',
        '    long_context: { above_input_tokens: 128000, input: 3, cached_input: 0.3, output: 5 }',
        '  gpt-6-sol*:',
        '    input: 1',
        '    cached_input: 0.1',
        '    cache_write: 1.25',
        '    output: 5',
        '    long_context: { above_input_tokens: 500000, input: 10, cached_input: 1, cache_write: 12.5, output: 50 }',
        '  gpt-6-luna: { input: 0.1, cached_input: 0.01, cache_write: 0.125, output: 0.5 }',
        '',
      ].join('\n'),
    );
    const p = await loadPricing(file);
    const u = (inputTokens: number) => ({
      inputTokens,
      cachedTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite12hTokens: null,
      outputTokens: 0,
    });
    expect(costUsd(priceFor(p, 'my-model-7b'), u(128_000))).toBeCloseTo(0.128, 12);
    expect(costUsd(priceFor(p, 'my-model-7b'), u(128_001))).toBeCloseTo((128_001 * 3) / 1e6, 12);
    // the user's gpt-6-sol: its own base rates up to its own threshold, its own long rates past it
    expect(costUsd(priceFor(p, 'gpt-6-sol'), u(400_000))).toBeCloseTo(0.4, 12);
    expect(costUsd(priceFor(p, 'gpt-6-sol'), u(500_001))).toBeCloseTo(5.00001, 12);
    // an entry without a tier replaces the shipped one with its tier: flat rates at any size
    expect(priceFor(p, 'gpt-6-luna')?.long_context).toBeUndefined();
    expect(costUsd(priceFor(p, 'gpt-6-luna'), u(400_000))).toBeCloseTo(0.04, 12);
  });

  it.each([
    [
      'an unknown field',
      '{ above_input_tokens: 272000, input: 4, cached_input: 0.4, output: 15, threshold: 1 }',
      /long-bad\.yaml: field models\.m\.long_context: .*threshold/,
    ],
    [
      'a missing rate',
      '{ above_input_tokens: 272000, input: 4, output: 15 }',
      /long-bad\.yaml: field models\.m\.long_context\.cached_input: /,
    ],
    [
      'a threshold that is not a whole number of tokens',
      '{ above_input_tokens: 272.5, input: 4, cached_input: 0.4, output: 15 }',
      /long-bad\.yaml: field models\.m\.long_context\.above_input_tokens: /,
    ],
    [
      'no write rate while the model bills writes',
      '{ above_input_tokens: 272000, input: 4, cached_input: 0.4, output: 15 }',
      /long-bad\.yaml: field models\.m\.long_context\.cache_write: .*cache_write/,
      'cache_write: 2.5, ',
    ],
  ])('names the file and field of a bad long_context: %s', async (_what, tier, error, extra = '') => {
    const file = join(tmp, 'long-bad.yaml');
    writeFileSync(
      file,
      `models:\n  m: { input: 2, cached_input: 0.2, ${extra}output: 10, long_context: ${tier} }\n`,
    );
    await expect(loadPricing(file)).rejects.toThrow(error);
  });
});
