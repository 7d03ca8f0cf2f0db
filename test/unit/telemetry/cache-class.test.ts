import { describe, expect, it } from 'vitest';
import {
  cacheRulesFor,
  classifyTurn,
  expectedCachedTokens,
  roundToCacheRules,
} from '../../../src/telemetry/cache-class.js';
import { checkPrefix, fingerprintOutput, fingerprintRequest } from '../../../src/telemetry/prefix.js';
import type { PrefixCheck } from '../../../src/telemetry/records.js';
import { charCounter, request, user } from './helpers.js';

const OLD = { minTokens: 1024, step: 128 };
const EXACT = { minTokens: 1024, step: 1 };
const count = charCounter();

const extended: PrefixCheck = {
  extends_previous: true,
  diverged_at: null,
  reason: null,
  lost_tokens: 0,
  detail: null,
};
const first: PrefixCheck = {
  extends_previous: null,
  diverged_at: null,
  reason: null,
  lost_tokens: null,
  detail: null,
};
const broke = (reason: NonNullable<PrefixCheck['reason']>, at: PrefixCheck['diverged_at']): PrefixCheck => ({
  extends_previous: false,
  diverged_at: at,
  reason,
  lost_tokens: 5000,
  detail: 'x',
});

describe('cache rules', () => {
  it('rounds a shared prefix down to the step, and to nothing below the minimum', () => {
    expect(roundToCacheRules(1023, OLD)).toBe(0);
    expect(roundToCacheRules(1024, OLD)).toBe(1024);
    expect(roundToCacheRules(1300, OLD)).toBe(1280);
    expect(roundToCacheRules(5000, OLD)).toBe(4992);
    expect(roundToCacheRules(1300, EXACT)).toBe(1300);
    expect(roundToCacheRules(1100, { minTokens: 1000, step: 64 })).toBe(1064);
  });

  it('picks the per-model profile', () => {
    expect(cacheRulesFor('gpt-5.6-luna')).toEqual(EXACT);
    expect(cacheRulesFor('gpt-5.6')).toEqual(EXACT);
    expect(cacheRulesFor('gpt-6')).toEqual(EXACT);
    expect(cacheRulesFor('gpt-5.5')).toEqual(OLD);
    expect(cacheRulesFor('gpt-4o-mini')).toEqual(OLD);
    expect(cacheRulesFor('o4-mini')).toEqual(OLD);
    expect(cacheRulesFor('qwen2.5-coder')).toEqual(OLD);
  });
});

describe('expectedCachedTokens', () => {
  const items = Array.from({ length: 10 }, (_, i) => user(`message number ${i} `.repeat(20)));
  const prevReq = request(items.slice(0, 8));
  const prevFp = fingerprintRequest(prevReq, count);
  const nextFp = fingerprintRequest(request(items), count);

  it('is the previous input, rounded, when the prompt extends the previous one', () => {
    const prev = { fingerprint: prevFp, inputTokens: 3000 };
    expect(expectedCachedTokens(extended, prev, { fingerprint: nextFp, inputTokens: 3500 }, OLD)).toBe(2944);
    expect(expectedCachedTokens(extended, prev, { fingerprint: nextFp, inputTokens: 3500 }, EXACT)).toBe(
      3000,
    );
  });

  it('is zero on the first turn and after a break before the items', () => {
    const prev = { fingerprint: prevFp, inputTokens: 3000 };
    const next = { fingerprint: nextFp, inputTokens: 3500 };
    expect(expectedCachedTokens(first, null, next, OLD)).toBe(0);
    expect(expectedCachedTokens(broke('tools_reordered', 'tools'), prev, next, OLD)).toBe(0);
    expect(expectedCachedTokens(broke('prompt_cache_key_changed', 'settings'), prev, next, OLD)).toBe(0);
  });

  it('scales a partial prefix from our estimate to the provider count', () => {
    // The provider counted the previous prompt at half our estimate.
    const estimate = prevFp.prefixTokens + prevFp.itemTokens.reduce((a, b) => a + b, 0);
    const prev = { fingerprint: prevFp, inputTokens: Math.round(estimate / 2) };
    const sharedEstimate = prevFp.prefixTokens + prevFp.itemTokens.slice(0, 5).reduce((a, b) => a + b, 0);
    const check = broke('item_changed', 5);
    const expected = expectedCachedTokens(check, prev, { fingerprint: nextFp, inputTokens: 99_999 }, EXACT);
    expect(expected).toBe(Math.round((sharedEstimate * prev.inputTokens) / estimate));
  });

  it('never expects more than the new input', () => {
    const prev = { fingerprint: prevFp, inputTokens: 3000 };
    expect(expectedCachedTokens(extended, prev, { fingerprint: nextFp, inputTokens: 2000 }, EXACT)).toBe(
      2000,
    );
  });

  it('counts only the previous prompt, not its output, as cacheable', () => {
    const prevWithOutput = { fingerprint: prevFp, ...fingerprintOutput([items[8]!], count) };
    const check = checkPrefix(prevWithOutput, nextFp);
    expect(check.extends_previous).toBe(true);
    expect(
      expectedCachedTokens(
        check,
        { fingerprint: prevFp, inputTokens: 3000 },
        { fingerprint: nextFp, inputTokens: 4000 },
        EXACT,
      ),
    ).toBe(3000);
  });
});

describe('classifyTurn', () => {
  const base = {
    turn: 4,
    prefix: extended,
    expectedCached: 4992,
    observedCached: 4992,
    inputTokens: 5200,
    afterCompaction: false,
    rules: OLD,
  };

  it('classifies the first turn', () => {
    expect(classifyTurn({ ...base, turn: 1, prefix: first, expectedCached: 0, observedCached: 0 })).toBe(
      'first_turn',
    );
  });

  it('classifies a prompt below the cache minimum, whatever the prefix did', () => {
    expect(classifyTurn({ ...base, inputTokens: 900, prefix: broke('tools_reordered', 'tools') })).toBe(
      'below_minimum',
    );
  });

  it('classifies a hit within one step of the expectation', () => {
    expect(classifyTurn(base)).toBe('hit');
    expect(classifyTurn({ ...base, observedCached: 4992 - 128 })).toBe('hit');
    expect(classifyTurn({ ...base, observedCached: 6000 })).toBe('hit');
  });

  it('classifies a held prefix with a clearly short cache as provider_miss', () => {
    expect(classifyTurn({ ...base, observedCached: 0 })).toBe('provider_miss');
    expect(classifyTurn({ ...base, observedCached: 4992 - 129 })).toBe('provider_miss');
  });

  it('classifies our own break as harness_break, even when the provider reports no cache figures', () => {
    for (const [reason, at] of [
      ['tools_reordered', 'tools'],
      ['instructions_changed', 'instructions'],
      ['item_changed', 3],
      ['items_removed', 7],
    ] as const) {
      const prefix = broke(reason, at);
      expect(classifyTurn({ ...base, prefix, expectedCached: 0, observedCached: 0 })).toBe('harness_break');
      expect(classifyTurn({ ...base, prefix, expectedCached: 0, observedCached: null })).toBe(
        'harness_break',
      );
    }
  });

  it('classifies a turn as unknown when the provider does not report cached tokens', () => {
    expect(classifyTurn({ ...base, observedCached: null })).toBe('unknown');
  });

  it('does not count a compaction-attributed break as harness_break', () => {
    const compacted = broke('compacted', 1);
    expect(
      classifyTurn({
        ...base,
        prefix: compacted,
        afterCompaction: true,
        expectedCached: 0,
        observedCached: 0,
      }),
    ).toBe('hit');
    expect(
      classifyTurn({
        ...base,
        prefix: compacted,
        afterCompaction: true,
        expectedCached: 2048,
        observedCached: 0,
      }),
    ).toBe('provider_miss');
    // The check was not told about the compaction, but the turn is flagged: still the compaction's.
    const edited = broke('item_changed', 1);
    expect(
      classifyTurn({ ...base, prefix: edited, afterCompaction: true, expectedCached: 0, observedCached: 0 }),
    ).toBe('hit');
    // A head change right after a compaction is still ours.
    const reordered = broke('tools_reordered', 'tools');
    expect(
      classifyTurn({
        ...base,
        prefix: reordered,
        afterCompaction: true,
        expectedCached: 0,
        observedCached: 0,
      }),
    ).toBe('harness_break');
  });
});
