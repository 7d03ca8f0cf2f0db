import { describe, expect, it } from 'vitest';
import {
  cacheRulesFor,
  classifyTurn,
  expectedCachedTokens,
  roundToCacheRules,
} from '../../../src/telemetry/cache-class.js';
import { canonicalJson } from '../../../src/telemetry/hash.js';
import { checkPrefix, fingerprintOutput, fingerprintRequest } from '../../../src/telemetry/prefix.js';
import type { PrefixCheck } from '../../../src/telemetry/records.js';
import { charCounter, request, TOOLS, tool, user } from './helpers.js';

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

  it('is zero on the first turn, after a model or settings change, and when the kept head is below the minimum', () => {
    const prev = { fingerprint: prevFp, inputTokens: 3000 };
    const next = { fingerprint: nextFp, inputTokens: 3500 };
    expect(expectedCachedTokens(first, null, next, OLD)).toBe(0);
    expect(expectedCachedTokens(broke('model_changed', 'model'), prev, next, EXACT)).toBe(0);
    expect(expectedCachedTokens(broke('prompt_cache_key_changed', 'settings'), prev, next, EXACT)).toBe(0);
    // the four small test tools are far below 1024 tokens: nothing a cache could serve
    const fewerTools = fingerprintRequest(request(items, { tools: TOOLS.slice(1) }), count);
    const check = checkPrefix(
      { fingerprint: prevFp, outputItemHashes: [], outputItemTokens: [] },
      fewerTools,
    );
    expect(check.reason).toBe('tools_changed');
    expect(expectedCachedTokens(check, prev, { fingerprint: fewerTools, inputTokens: 3400 }, OLD)).toBe(0);
  });

  describe('after a break before the items: the head the next prompt still starts with (tools, then instructions)', () => {
    // tools big enough to be cached on their own: 6 x ~450 tokens
    const big = ['shell', 'apply_patch', 'update_plan', 'read_file', 'write_file', 'grep'].map((name) =>
      tool(name, `${name}: ${'use it with care and read its output. '.repeat(10)}`),
    );
    const toolTokens = (tools: typeof big) => tools.reduce((n, t) => n + canonicalJson(t).length, 0);
    const prevBig = fingerprintRequest(request(items.slice(0, 8), { tools: big }), count);
    const prevPrompt = { fingerprint: prevBig, outputItemHashes: [], outputItemTokens: [] };
    const estimate = prevBig.prefixTokens + prevBig.itemTokens.reduce((a, b) => a + b, 0);
    const expectFor = (nextReq: ReturnType<typeof request>, prevInput: number, rules = OLD) => {
      const fp = fingerprintRequest(nextReq, count);
      const check = checkPrefix(prevPrompt, fp);
      return {
        check,
        expected: expectedCachedTokens(
          check,
          { fingerprint: prevBig, inputTokens: prevInput },
          { fingerprint: fp, inputTokens: 99_999 },
          rules,
        ),
      };
    };

    it('a tool appended at the end keeps every tool before it, rounded to the 128-token steps', () => {
      expect(toolTokens(big)).toBeGreaterThan(2048);
      const { check, expected } = expectFor(
        request(items, { tools: [...big, tool('web_search')] }),
        estimate,
      );
      expect(check).toMatchObject({ diverged_at: 'tools', reason: 'tools_changed' });
      expect(check.detail).toBe('tools changed: added web_search');
      expect(expected).toBe(roundToCacheRules(toolTokens(big), OLD));
      expect(expected).toBe(Math.floor(toolTokens(big) / 128) * 128);
      // calibrated like any partial prefix: the provider counted the previous prompt at 80% of our estimate
      const scaled = expectFor(
        request(items, { tools: [...big, tool('web_search')] }),
        estimate * 0.8,
        EXACT,
      );
      expect(scaled.expected).toBe(Math.round(toolTokens(big) * 0.8));
    });

    it('a tool changed or moved keeps the tools before it; a change of instructions keeps every tool', () => {
      const redefined = [...big.slice(0, 4), tool('write_file', 'short now'), big[5]!];
      expect(expectFor(request(items, { tools: redefined }), estimate, EXACT).expected).toBe(
        toolTokens(big.slice(0, 4)),
      );
      const moved = [big[0]!, big[1]!, big[5]!, big[2]!, big[3]!, big[4]!];
      const reordered = expectFor(request(items, { tools: moved }), estimate, EXACT);
      expect(reordered.check.reason).toBe('tools_reordered');
      expect(reordered.expected).toBe(toolTokens(big.slice(0, 2)));
      const instructions = expectFor(
        request(items, { tools: big, instructions: 'Be terse.' }),
        estimate,
        EXACT,
      );
      expect(instructions.check.reason).toBe('instructions_changed');
      expect(instructions.expected).toBe(toolTokens(big));
      const effort = expectFor(request(items, { tools: big, reasoningEffort: 'high' }), estimate, EXACT);
      expect(effort.check.reason).toBe('settings_changed');
      expect(effort.expected).toBe(0);
    });

    it('an append stays a harness break (the harness changed the tools), never a provider miss', () => {
      const { check, expected } = expectFor(
        request(items, { tools: [...big, tool('web_search')] }),
        estimate,
      );
      const turn = {
        turn: 5,
        prefix: check,
        expectedCached: expected,
        inputTokens: 5000,
        afterCompaction: false,
        rules: OLD,
      };
      expect(classifyTurn({ ...turn, observedCached: expected })).toBe('harness_break');
      expect(classifyTurn({ ...turn, observedCached: 0 })).toBe('harness_break');
    });
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

  it('starts a partial prefix from the provider count of an earlier prompt that was its first items', () => {
    const estimate = prevFp.prefixTokens + prevFp.itemTokens.reduce((a, b) => a + b, 0);
    const prev = { fingerprint: prevFp, inputTokens: Math.round(estimate / 2) };
    const check = broke('compacted', 5);
    const next = { fingerprint: nextFp, inputTokens: 99_999 };
    // an earlier prompt of exactly the 5 shared items: its count is the answer
    expect(expectedCachedTokens(check, prev, next, EXACT, { items: 5, inputTokens: 2345 })).toBe(2345);
    // of 3 of them: only items 3 and 4 are estimated (and scaled)
    const rest = prevFp.itemTokens[3]! + prevFp.itemTokens[4]!;
    expect(expectedCachedTokens(check, prev, next, EXACT, { items: 3, inputTokens: 2000 })).toBe(
      2000 + Math.round((rest * prev.inputTokens) / estimate),
    );
    // an anchor longer than the shared part says nothing about it
    const scaled = expectedCachedTokens(check, prev, next, EXACT);
    expect(expectedCachedTokens(check, prev, next, EXACT, { items: 6, inputTokens: 2345 })).toBe(scaled);
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
