import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { costUsd, loadPricing, priceFor } from '../../../src/config/pricing.js';
import { build, fixture } from './helpers.js';

function plainFile(lines: unknown[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tb-plain-12h-')), 'sessions.jsonl');
  writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  return file;
}

const at = (s: number) => new Date(Date.parse('2026-12-01T12:00:00Z') + s * 1000).toISOString();

describe('ingest: the 12-hour part of cache writes', () => {
  test('the plain format carries usage.cache_write_12h_tokens to the turn record and its cost', async () => {
    const file = plainFile([
      {
        timestamp: at(0),
        session: 's',
        model: 'gpt-6.2-sol',
        usage: {
          input_tokens: 5000,
          cached_tokens: 0,
          cache_write_tokens: 5000,
          cache_write_12h_tokens: 4000,
          output_tokens: 10,
        },
      },
      {
        timestamp: at(1),
        session: 's',
        model: 'gpt-6.2-sol',
        usage: { input_tokens: 5200, cached_tokens: 5000, cache_write_tokens: 200, output_tokens: 10 },
      },
    ]);
    const { turns, warnings } = await build([{ file, format: 'plain' }]);
    expect(warnings).toEqual([]);
    expect(turns.map((t) => [t.cache_write_tokens, t.cache_write_12h_tokens])).toEqual([
      [5000, 4000],
      [200, null],
    ]);
    // 1000 30-minute writes at $2.50 and 4000 12-hour ones at $5, 10 output at $10
    expect(turns[0]?.cost_usd).toBeCloseTo((1000 * 2.5 + 4000 * 5 + 10 * 10) / 1e6, 12);
    // no split given: every write at the 30-minute rate
    expect(turns[1]?.cost_usd).toBeCloseTo((5000 * 0.1 + 200 * 2.5 + 10 * 10) / 1e6, 12);
  });

  test('a 12-hour count without the total it is part of, or above it, is a warning naming the field', async () => {
    const file = plainFile([
      {
        timestamp: at(0),
        session: 's',
        model: 'gpt-6.2-sol',
        usage: { input_tokens: 100, output_tokens: 1, cache_write_12h_tokens: 50 },
      },
      {
        timestamp: at(1),
        session: 's',
        model: 'gpt-6.2-sol',
        usage: { input_tokens: 100, output_tokens: 1, cache_write_tokens: 40, cache_write_12h_tokens: 50 },
      },
    ]);
    const { turns, warnings } = await build([{ file, format: 'plain' }]);
    expect(turns).toEqual([]);
    expect(warnings).toHaveLength(2);
    for (const w of warnings) expect(w).toMatch(/sessions\.jsonl:\d: field usage\.cache_write_12h_tokens: /);
  });

  test('a Codex rollout gives no split: the writes are known, their 12-hour part is null and priced as 30-minute', async () => {
    const pricing = await loadPricing();
    const { turns } = await build([{ file: fixture('v0.171', 'inline-compaction.jsonl') }]);
    const withWrites = turns.filter((t) => (t.cache_write_tokens ?? 0) > 0);
    expect(withWrites.length).toBeGreaterThan(0);
    for (const t of turns) {
      expect(t.cache_write_12h_tokens).toBeNull();
      expect(t.cost_usd).toBeCloseTo(
        costUsd(priceFor(pricing, t.model), {
          inputTokens: t.input_tokens,
          cachedTokens: t.cached_tokens,
          cacheWriteTokens: t.cache_write_tokens,
          cacheWrite12hTokens: 0,
          outputTokens: t.output_tokens,
        }) ?? -1,
        12,
      );
    }
  });
});
