import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { costUsd, loadPricing, type Pricing, priceFor } from '../../../src/config/pricing.js';

const tmp = mkdtempSync(join(tmpdir(), 'turnbench-pricing-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('pricing table', () => {
  it('loads the shipped table with the sim models and OpenAI models', async () => {
    const p = await loadPricing();
    expect(priceFor(p, 'sim-1')).toEqual({ input: 1.25, cached_input: 0.125, output: 10 });
    expect(priceFor(p, 'gpt-5-mini')?.input).toBe(0.25);
    expect(priceFor(p, 'gpt-5.6-codex')?.cache_write).toBe(2.1875);
  });

  it('prices the models Codex CLI 0.17x sessions use, and the mini tiers apart from their family', async () => {
    const p = await loadPricing();
    expect(priceFor(p, 'gpt-5.5')?.input).toBe(5);
    expect(priceFor(p, 'gpt-5.3-codex')?.output).toBe(14);
    expect(priceFor(p, 'gpt-5.4')?.input).toBe(2.5);
    expect(priceFor(p, 'gpt-5.4-mini')?.input).toBe(0.75);
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
      costUsd(price, { inputTokens: 10_000, cachedTokens: 6000, cacheWriteTokens: 1000, outputTokens: 500 }),
    ).toBeCloseTo(0.015, 12);
    // With a write price: 1000 * 2.5 instead of 1000 * 2.
    expect(
      costUsd(
        { ...price, cache_write: 2.5 },
        { inputTokens: 10_000, cachedTokens: 6000, cacheWriteTokens: 1000, outputTokens: 500 },
      ),
    ).toBeCloseTo(0.0155, 12);
    // Unknown cached counts as uncached.
    expect(
      costUsd(price, { inputTokens: 1000, cachedTokens: null, cacheWriteTokens: null, outputTokens: 0 }),
    ).toBeCloseTo(0.002, 12);
    expect(
      costUsd(null, { inputTokens: 1, cachedTokens: 0, cacheWriteTokens: 0, outputTokens: 1 }),
    ).toBeNull();
  });
});
