import type { FunctionTool } from 'openai/resources/responses/responses';
import { afterEach, describe, expect, test } from 'vitest';
import type { SimServer } from '../../../src/sim/index.js';
import { startSim, textOfTokens, variedText } from './helpers.js';

/** A user message adds a 5-token header to its content. */
const MESSAGE_HEADER_TOKENS = 5;

const tool = (name: string): FunctionTool => ({
  type: 'function',
  name,
  description: `The ${name} tool. ${variedText(name, 40)}`,
  parameters: { type: 'object', properties: { x: { type: 'string' } } },
  strict: false,
});

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('prefix cache (block-128 profile, sim-1)', () => {
  test('a 1023-token prompt caches nothing, even when repeated', async () => {
    const s = await startSim();
    sim = s.sim;
    const input = textOfTokens(1023 - MESSAGE_HEADER_TOKENS);
    for (let i = 0; i < 2; i++) {
      const r = await s.client.responses.create({ model: 'sim-1', input, store: false });
      expect(r.usage?.input_tokens).toBe(1023);
      expect(r.usage?.input_tokens_details.cached_tokens).toBe(0);
    }
  });

  test('a 1024-token prompt is cached from the second request', async () => {
    const s = await startSim();
    sim = s.sim;
    const input = textOfTokens(1024 - MESSAGE_HEADER_TOKENS);
    const first = await s.client.responses.create({ model: 'sim-1', input, store: false });
    const second = await s.client.responses.create({ model: 'sim-1', input, store: false });
    expect(first.usage?.input_tokens_details.cached_tokens).toBe(0);
    expect(second.usage?.input_tokens_details.cached_tokens).toBe(1024);
  });

  test('a repeated 5000-token prompt hits in a multiple of 128', async () => {
    const s = await startSim();
    sim = s.sim;
    const input = variedText('t', 2400);
    const first = await s.client.responses.create({
      model: 'sim-1',
      input,
      instructions: 'Be brief.',
      store: false,
    });
    const second = await s.client.responses.create({
      model: 'sim-1',
      input,
      instructions: 'Be brief.',
      store: false,
    });
    const total = second.usage?.input_tokens ?? 0;
    const cached = second.usage?.input_tokens_details.cached_tokens ?? -1;
    expect(total).toBeGreaterThan(4000);
    expect(first.usage?.input_tokens_details.cached_tokens).toBe(0);
    expect(cached % 128).toBe(0);
    expect(cached).toBe(Math.floor(total / 128) * 128);
    // the block profile does not report writes
    expect(second.usage?.input_tokens_details.cache_write_tokens).toBe(0);
  });

  test('a growing conversation hits the previous prompt, rounded down to 128', async () => {
    const s = await startSim();
    sim = s.sim;
    const base = variedText('g', 1500);
    const r1 = await s.client.responses.create({
      model: 'sim-1',
      input: [{ role: 'user', content: base }],
      store: false,
    });
    const r2 = await s.client.responses.create({
      model: 'sim-1',
      input: [
        { role: 'user', content: base },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: variedText('h', 300) },
      ],
      store: false,
    });
    const prev = r1.usage?.input_tokens ?? 0;
    expect(r2.usage?.input_tokens_details.cached_tokens).toBe(Math.floor(prev / 128) * 128);
  });

  test('reordering tools drops the hit to zero with reason tools_changed', async () => {
    const s = await startSim();
    sim = s.sim;
    const input = variedText('r', 1500);
    const tools = [tool('shell'), tool('read_file'), tool('write_file')];
    const first = await s.client.responses.create({ model: 'sim-1', input, tools, store: false });
    const same = await s.client.responses.create({
      model: 'sim-1',
      input,
      tools,
      store: false,
      prompt_cache_options: { comparison_response_id: first.id },
    });
    expect(same.usage?.input_tokens_details.cached_tokens).toBeGreaterThan(0);
    expect(same.prompt_cache_diagnostics).toEqual({ type: 'cache_hit' });

    const reordered = await s.client.responses.create({
      model: 'sim-1',
      input,
      tools: [...tools].reverse(),
      store: false,
      prompt_cache_options: { comparison_response_id: first.id },
    });
    expect(reordered.usage?.input_tokens_details.cached_tokens).toBe(0);
    const diag = reordered.prompt_cache_diagnostics;
    expect(diag?.type).toBe('cache_miss');
    if (diag?.type !== 'cache_miss') throw new Error('expected a miss');
    expect(diag.reason).toBe('tools_changed');
    expect(diag.cache_missed_tokens).toBe(reordered.usage?.input_tokens);
  });

  test('changing the instructions drops the hit to zero with reason input_changed', async () => {
    const s = await startSim();
    sim = s.sim;
    const input = variedText('i', 1500);
    const first = await s.client.responses.create({
      model: 'sim-1',
      input,
      instructions: 'Version A',
      store: false,
    });
    const changed = await s.client.responses.create({
      model: 'sim-1',
      input,
      instructions: 'Version B at 12:00:01',
      store: false,
      prompt_cache_options: { comparison_response_id: first.id },
    });
    expect(changed.usage?.input_tokens_details.cached_tokens).toBe(0);
    expect(changed.prompt_cache_diagnostics).toMatchObject({
      type: 'cache_miss',
      reason: 'input_changed',
      cache_missed_tokens: changed.usage?.input_tokens,
      comparison_reusable_tokens: 0,
    });
  });

  test('changing an earlier item reports input_changed with the tokens lost after it', async () => {
    const s = await startSim();
    sim = s.sim;
    const a = variedText('a', 800);
    const first = await s.client.responses.create({
      model: 'sim-1',
      input: [
        { role: 'user', content: a },
        { role: 'user', content: variedText('b', 800) },
      ],
      store: false,
    });
    const second = await s.client.responses.create({
      model: 'sim-1',
      input: [
        { role: 'user', content: a },
        { role: 'user', content: variedText('c', 800) },
      ],
      store: false,
      prompt_cache_options: { comparison_response_id: first.id },
    });
    const diag = second.prompt_cache_diagnostics;
    if (diag?.type !== 'cache_miss') throw new Error(`expected a miss, got ${JSON.stringify(diag)}`);
    expect(diag.reason).toBe('input_changed');
    expect(diag.comparison_reusable_tokens).toBeGreaterThan(1024);
    expect(diag.cache_missed_tokens).toBe(
      (second.usage?.input_tokens ?? 0) - (diag.comparison_reusable_tokens ?? 0),
    );
    // the shared first item still hits, in 128-token steps
    expect(second.usage?.input_tokens_details.cached_tokens).toBe(
      Math.floor((diag.comparison_reusable_tokens ?? 0) / 128) * 128,
    );
  });

  test('model and prompt_cache_key changes are reported as such', async () => {
    const s = await startSim();
    sim = s.sim;
    const input = variedText('m', 1500);
    const first = await s.client.responses.create({
      model: 'sim-1',
      input,
      prompt_cache_key: 'k1',
      store: false,
    });
    const otherKey = await s.client.responses.create({
      model: 'sim-1',
      input,
      prompt_cache_key: 'k2',
      store: false,
      prompt_cache_options: { comparison_response_id: first.id },
    });
    expect(otherKey.usage?.input_tokens_details.cached_tokens).toBe(0);
    expect(otherKey.prompt_cache_diagnostics).toMatchObject({
      type: 'cache_miss',
      reason: 'prompt_cache_key_changed',
    });
    const otherModel = await s.client.responses.create({
      model: 'sim-exact',
      input,
      prompt_cache_key: 'k1',
      store: false,
      prompt_cache_options: { comparison_response_id: first.id },
    });
    expect(otherModel.prompt_cache_diagnostics).toMatchObject({
      type: 'cache_miss',
      reason: 'model_changed',
    });
    const unknown = await s.client.responses.create({
      model: 'sim-1',
      input,
      store: false,
      prompt_cache_options: { comparison_response_id: 'resp_missing' },
    });
    expect(unknown.prompt_cache_diagnostics).toEqual({ type: 'comparison_response_not_found' });
  });

  test('capacity-limited store evicts the least recently used prefix', async () => {
    // room for one ~2400-token prompt's blocks (1024..2304: 11 x 128 tokens), not two
    const s = await startSim({ cache: { capacityTokens: 1500 } });
    sim = s.sim;
    const a = variedText('x', 1200);
    const b = variedText('y', 1200);
    await s.client.responses.create({ model: 'sim-1', input: a, store: false });
    const aHit = await s.client.responses.create({ model: 'sim-1', input: a, store: false });
    expect(aHit.usage?.input_tokens_details.cached_tokens).toBeGreaterThan(0);
    // b's blocks push a's out of the 3000-token store
    await s.client.responses.create({ model: 'sim-1', input: b, store: false });
    const bHit = await s.client.responses.create({ model: 'sim-1', input: b, store: false });
    expect(bHit.usage?.input_tokens_details.cached_tokens).toBeGreaterThan(0);
    const aAgain = await s.client.responses.create({ model: 'sim-1', input: a, store: false });
    expect(aAgain.usage?.input_tokens_details.cached_tokens).toBe(0);
  });

  test('evictAll forces a miss', async () => {
    const s = await startSim();
    sim = s.sim;
    const input = variedText('e', 1500);
    await s.client.responses.create({ model: 'sim-1', input, store: false });
    s.sim.evictAll();
    const r = await s.client.responses.create({ model: 'sim-1', input, store: false });
    expect(r.usage?.input_tokens_details.cached_tokens).toBe(0);
  });

  test('entries expire after their TTL (injected clock); a hit refreshes them', async () => {
    let now = 1_000_000;
    const s = await startSim({ now: () => now, cache: { defaultTtlMs: 60_000 } });
    sim = s.sim;
    const input = variedText('ttl', 1500);
    await s.client.responses.create({ model: 'sim-1', input, store: false });
    now += 59_000;
    const hit = await s.client.responses.create({ model: 'sim-1', input, store: false });
    expect(hit.usage?.input_tokens_details.cached_tokens).toBeGreaterThan(0);
    now += 59_000; // 118 s after the write, 59 s after the refreshing hit
    const refreshed = await s.client.responses.create({ model: 'sim-1', input, store: false });
    expect(refreshed.usage?.input_tokens_details.cached_tokens).toBeGreaterThan(0);
    now += 61_000;
    const expired = await s.client.responses.create({ model: 'sim-1', input, store: false });
    expect(expired.usage?.input_tokens_details.cached_tokens).toBe(0);
  });

  test('prompt_cache_retention 24h outlives the default lifetime', async () => {
    let now = 0;
    const s = await startSim({ now: () => now, cache: { defaultTtlMs: 60_000 } });
    sim = s.sim;
    const input = variedText('ret', 1500);
    await s.client.responses.create({ model: 'sim-1', input, store: false, prompt_cache_retention: '24h' });
    now += 23 * 3600_000;
    const r = await s.client.responses.create({
      model: 'sim-1',
      input,
      store: false,
      prompt_cache_retention: '24h',
    });
    expect(r.usage?.input_tokens_details.cached_tokens).toBeGreaterThan(0);
  });
});

describe('prefix cache (exact profile, sim-exact / gpt-5.6-like)', () => {
  test('hits exactly at the previous prompt end and reports writes with their TTL bucket', async () => {
    const s = await startSim();
    sim = s.sim;
    const base = variedText('x', 1500);
    const r1 = await s.client.responses.create({
      model: 'sim-exact',
      input: [{ role: 'user', content: base }],
      store: false,
    });
    const written = r1.usage?.input_tokens_details.cache_write_tokens;
    expect(written).toBe(r1.usage?.input_tokens);
    expect(r1.usage?.input_tokens_details.cache_write_tokens_details).toEqual({
      ttl_30m_tokens: written,
      ttl_12h_tokens: 0,
    });
    const r2 = await s.client.responses.create({
      model: 'sim-exact',
      input: [
        { role: 'user', content: base },
        { role: 'user', content: 'next' },
      ],
      store: false,
      prompt_cache_options: { ttl: '12h' },
    });
    expect(r2.usage?.input_tokens_details.cached_tokens).toBe(r1.usage?.input_tokens);
    const w2 = r2.usage?.input_tokens_details.cache_write_tokens ?? 0;
    expect(w2).toBe((r2.usage?.input_tokens ?? 0) - (r1.usage?.input_tokens ?? 0));
    expect(r2.usage?.input_tokens_details.cache_write_tokens_details).toEqual({
      ttl_30m_tokens: 0,
      ttl_12h_tokens: w2,
    });
  });

  test('prompt_cache_retention 24h writes 30-minute entries: only prompt_cache_options.ttl 12h makes 12-hour ones', async () => {
    const s = await startSim();
    sim = s.sim;
    const details = async (input: string, extra: object) => {
      const r = await s.client.responses.create({ model: 'gpt-6.2-sol', input, store: false, ...extra });
      const d = r.usage?.input_tokens_details;
      return { total: d?.cache_write_tokens, split: d?.cache_write_tokens_details };
    };
    const retention = await details(variedText('r24', 1500), { prompt_cache_retention: '24h' });
    expect(retention.total).toBeGreaterThan(1024);
    expect(retention.split).toEqual({ ttl_30m_tokens: retention.total, ttl_12h_tokens: 0 });
    const both = await details(variedText('both', 1500), {
      prompt_cache_retention: '24h',
      prompt_cache_options: { ttl: '12h' },
    });
    expect(both.total).toBeGreaterThan(1024);
    expect(both.split).toEqual({ ttl_30m_tokens: 0, ttl_12h_tokens: both.total });
  });

  test('explicit breakpoints are matched exactly; explicit mode drops the implicit one', async () => {
    const s = await startSim();
    sim = s.sim;
    const head = variedText('bp', 1500);
    const input = (tail: string) => [
      {
        role: 'user' as const,
        content: [
          { type: 'input_text' as const, text: head, prompt_cache_breakpoint: { mode: 'explicit' as const } },
          { type: 'input_text' as const, text: tail },
        ],
      },
    ];
    const opts = { mode: 'explicit' as const };
    await s.client.responses.create({
      model: 'sim-exact',
      input: input('one'),
      store: false,
      prompt_cache_options: opts,
    });
    const r = await s.client.responses.create({
      model: 'sim-exact',
      input: input('two two'),
      store: false,
      prompt_cache_options: opts,
    });
    // header (5) + head tokens, not rounded to 128
    const cached = r.usage?.input_tokens_details.cached_tokens ?? 0;
    expect(cached).toBeGreaterThan(1024);
    expect(cached).toBeLessThan(r.usage?.input_tokens ?? 0);
    const again = await s.client.responses.create({
      model: 'sim-exact',
      input: input('two two'),
      store: false,
      prompt_cache_options: opts,
    });
    // explicit mode: the end of the prompt was never stored, only the breakpoint
    expect(again.usage?.input_tokens_details.cached_tokens).toBe(cached);
  });
});
