import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_LIMITS,
  type SimScript,
  SimScriptSchema,
  VariantSchema,
  type VariantSpec,
} from '../../../src/config/index.js';
import { loadPricing } from '../../../src/config/pricing.js';
import { type SimServer, startSimServer } from '../../../src/sim/index.js';
import type { TurnRecord } from '../../../src/telemetry/index.js';
import { type Recorded, runTaskOnSim } from './run-task.js';

const INSTRUCTIONS = `You are a careful coding agent in a sandbox. ${'Follow the house rules closely. '.repeat(60)}`;

let sim: SimServer;
let pricing: Awaited<ReturnType<typeof loadPricing>>;

beforeAll(async () => {
  sim = await startSimServer({});
  pricing = await loadPricing();
});
afterAll(async () => {
  await sim.close();
});

function variant(overrides: Partial<VariantSpec> = {}): VariantSpec {
  return VariantSchema.parse({
    name: 'v',
    provider: 'sim',
    model: 'sim-1',
    instructions: INSTRUCTIONS,
    ...overrides,
  });
}

function runTask(
  script: SimScript,
  v: VariantSpec,
  limits = DEFAULT_LIMITS,
  onTurn?: (t: TurnRecord) => void,
): Promise<Recorded> {
  return runTaskOnSim(sim, pricing, script, v, { limits, onTurn });
}

const longScript = (n: number, final = 'All done. Result: ok') =>
  SimScriptSchema.parse({
    steps: [{ repeat: n, shell: 'cat data.txt && echo round {{i}} && seq 1 40' }],
    final,
  });

describe('agent loop against the sim over HTTP', () => {
  it('runs tool calls in the sandbox until the final answer and records every request', async () => {
    const script = SimScriptSchema.parse({
      steps: [
        { tool: 'write_file', args: { path: 'out/hello.txt', content: 'hi there\n' } },
        {
          parallel: [
            { tool: 'read_file', args: { path: 'out/hello.txt' } },
            { tool: 'shell', args: { command: ['bash', '-lc', 'wc -l data.txt'] } },
          ],
        },
      ],
      final: 'Wrote the file. Result: done',
    });
    const r = await runTask(script, variant());
    expect(r.result).toEqual({ stopReason: 'final', finalAnswer: 'Wrote the file. Result: done' });
    expect(await r.sandbox.readFile('out/hello.txt')).toBe('hi there\n');
    expect(r.turns.map((t) => t.turn)).toEqual([1, 2, 3]);
    expect(r.turns.map((t) => t.tool_calls)).toEqual([1, 2, 0]);
    const calls = r.events.filter((e) => e.type === 'tool_call');
    // parallel calls are recorded as they complete, so only the turn they belong to is fixed
    expect(calls.map((e) => [e.turn, e.tool])).toEqual(
      expect.arrayContaining([
        [1, 'write_file'],
        [2, 'read_file'],
        [2, 'shell'],
      ]),
    );
    expect(calls).toHaveLength(3);
    expect(calls.every((e) => e.ok)).toBe(true);
    // Stateless: each request resends the history, so the body grows every turn.
    const bytes = r.turns.map((t) => t.bytes_sent);
    expect(bytes[1]!).toBeGreaterThan(bytes[0]!);
    expect(bytes[2]!).toBeGreaterThan(bytes[1]!);
    expect(r.turns.slice(1).every((t) => t.prefix.extends_previous === true)).toBe(true);
    expect(r.totals.turns).toBe(3);
    expect(r.totals.inputTokens).toBe(r.turns.reduce((a, t) => a + t.input_tokens, 0));
    await r.sandbox.destroy();
  });

  it('caches a stable prefix and records hits once past 1024 tokens', async () => {
    const r = await runTask(longScript(6), variant());
    expect(r.turns[0]!.input_tokens).toBeGreaterThan(1024);
    expect(r.turns[0]!.cache_class).toBe('first_turn');
    for (const t of r.turns.slice(1)) {
      expect(t.cached_tokens! % 128).toBe(0);
      expect(t.cached_tokens!).toBeGreaterThanOrEqual(1024);
      expect(t.cache_class).toBe('hit');
    }
    await r.sandbox.destroy();
  });

  const breaks = [
    { change: 'reorder_tools', reason: 'tools_reordered', divergedAt: 'tools' },
    { change: 'drop_tool', reason: 'tools_changed', divergedAt: 'tools' },
    { change: 'switch_model', reason: 'model_changed', divergedAt: 'model', model: 'sim-1-mini' },
    { change: 'change_reasoning_effort', reason: 'settings_changed', divergedAt: 'settings' },
    { change: 'change_cache_key', reason: 'prompt_cache_key_changed', divergedAt: 'settings' },
    { change: 'edit_environment', reason: 'item_changed', divergedAt: 1 },
  ] as const;
  for (const b of breaks) {
    it(`attributes a ${b.change} at turn 5 to the harness (${b.reason})`, async () => {
      const perturb = { at_turn: 5, change: b.change, ...('model' in b ? { model: b.model } : {}) };
      const r = await runTask(
        longScript(7),
        variant({
          developer_message: 'Keep the style.',
          layout: {
            order: ['developer', 'environment', 'task'],
            tool_order: 'fixed',
            cache_breakpoints: [],
            perturb,
          },
        }),
      );
      const fifth = r.turns[4]!;
      // every turn before the change extended the previous prompt
      expect(r.turns.slice(1, 4).every((t) => t.prefix.extends_previous === true)).toBe(true);
      expect(fifth.prefix).toMatchObject({ extends_previous: false, reason: b.reason });
      if (b.reason !== 'prompt_cache_key_changed' && b.reason !== 'settings_changed') {
        expect(fifth.prefix.diverged_at).toBe(b.divergedAt);
      }
      expect(fifth.cache_class).toBe('harness_break');
      // an intact prefix would have cached all of turn 2's prompt (rounded down to 128)
      expect(fifth.cached_tokens!).toBeLessThan(r.turns[3]!.input_tokens - 127);
      const event = r.events.find((e) => e.type === 'cache_break' && e.turn === 5);
      expect(event).toMatchObject({ reason: b.reason });
      if (event?.type === 'cache_break') expect(event.diff).toBeTruthy();
      // the change persists, so the next turn extends the changed prompt again
      expect(r.turns[5]!.prefix.extends_previous).toBe(true);
      expect(r.turns[5]!.cache_class).toBe('hit');
      await r.sandbox.destroy();
    });
  }

  it('answers invalid tool arguments to the model and records them, without crashing', async () => {
    const script = SimScriptSchema.parse({
      steps: [
        { tool: 'shell', args: {}, raw_arguments: '{"command": "not-an-array"' },
        { shell: 'echo recovered' },
      ],
      final: 'Recovered. Result: ok',
    });
    const r = await runTask(script, variant());
    expect(r.result.stopReason).toBe('final');
    const first = r.events.find((e) => e.type === 'tool_call');
    expect(first).toMatchObject({ ok: false, error: 'invalid_arguments' });
    expect(r.totals.toolErrors).toBe(1);
    await r.sandbox.destroy();
  });

  it('stops once the sample has cost max_cost_usd', async () => {
    const r = await runTask(longScript(20), variant(), { ...DEFAULT_LIMITS, max_cost_usd: 0.01 });
    expect(r.result.stopReason).toBe('max_cost');
    expect(r.totals.costUsd!).toBeGreaterThanOrEqual(0.01);
    // it stops at the first turn that reaches the budget, not later
    const before = r.turns.slice(0, -1).reduce((sum, t) => sum + (t.cost_usd ?? 0), 0);
    expect(before).toBeLessThan(0.01);
    await r.sandbox.destroy();
  });

  it('stops at max_turns', async () => {
    const r = await runTask(longScript(10), variant(), { ...DEFAULT_LIMITS, max_turns: 4 });
    expect(r.result.stopReason).toBe('max_turns');
    expect(r.turns).toHaveLength(4);
    await r.sandbox.destroy();
  });

  for (const policy of ['endpoint', 'trigger', 'summary', 'truncate', 'server'] as const) {
    it(`compacts with the ${policy} policy and attributes the next turn to it`, async () => {
      const r = await runTask(
        longScript(14, `Compacted run finished. Result: ${policy}`),
        variant({ compaction: { policy, threshold: 2500 } }),
      );
      expect(r.result).toEqual({
        stopReason: 'final',
        finalAnswer: `Compacted run finished. Result: ${policy}`,
      });
      const compactions = r.events.filter((e) => e.type === 'compaction');
      expect(compactions.length).toBeGreaterThan(0);
      expect(compactions[0]).toMatchObject({ method: policy });
      const c = compactions[0]!;
      if (c.type !== 'compaction') throw new Error('unreachable');
      expect(c.tokens_after!).toBeLessThan(c.tokens_before!);
      const after = r.turns.find((t) => t.after_compaction);
      expect(after).toBeDefined();
      expect(after!.cache_class).not.toBe('harness_break');
      if (policy === 'endpoint' || policy === 'trigger' || policy === 'summary') {
        expect(r.turns.some((t) => t.kind !== 'agent')).toBe(true);
      }
      if (policy === 'trigger' || policy === 'summary') {
        // the compaction request is the loop's request plus one item: it reads the cached prefix
        const side = r.turns.find((t) => t.kind !== 'agent')!;
        expect(side.cached_tokens!).toBeGreaterThanOrEqual(1024);
      }
      // the script's 14 shell steps all ran, compaction or not
      expect(r.events.filter((e) => e.type === 'tool_call')).toHaveLength(14);
      await r.sandbox.destroy();
    });
  }

  it('chains with previous_response_id and sends only the new items', async () => {
    const stateless = await runTask(longScript(4), variant());
    const chained = await runTask(longScript(4), variant({ mode: 'previous_response_id' }));
    expect(chained.result.stopReason).toBe('final');
    expect(chained.turns).toHaveLength(stateless.turns.length);
    const last = (r: Recorded) => r.turns.at(-1)!.bytes_sent!;
    expect(last(chained)).toBeLessThan(last(stateless));
    await stateless.sandbox.destroy();
    await chained.sandbox.destroy();
  });

  it('runs the same loop over Chat Completions, with usage normalised into the same records', async () => {
    const r = await runTask(longScript(5, 'Chat run finished. Result: ok'), variant({ api: 'chat' }));
    expect(r.result).toEqual({ stopReason: 'final', finalAnswer: 'Chat run finished. Result: ok' });
    expect(r.events.filter((e) => e.type === 'tool_call' && e.ok)).toHaveLength(5);
    expect(r.turns).toHaveLength(6);
    expect(r.turns.slice(1).every((t) => t.prefix.extends_previous === true)).toBe(true);
    const later = r.turns.slice(1);
    expect(later.every((t) => t.cached_tokens !== null && t.cached_tokens >= 1024)).toBe(true);
    expect(later.every((t) => t.cache_class === 'hit')).toBe(true);
    await r.sandbox.destroy();
  });

  it('classifies a provider-side eviction as provider_miss, not as a harness break', async () => {
    // the sim's whole cache is dropped right after turn 3 is recorded
    const r = await runTask(longScript(6), variant(), DEFAULT_LIMITS, (t) => {
      if (t.turn === 3) sim.evictAll();
    });
    const fourth = r.turns[3]!;
    expect(fourth.prefix.extends_previous).toBe(true);
    expect(fourth.expected_cached_tokens!).toBeGreaterThan(0);
    expect(fourth.cached_tokens).toBe(0);
    expect(fourth.cache_class).toBe('provider_miss');
    expect(r.turns[4]!.cache_class).toBe('hit');
    await r.sandbox.destroy();
  });

  it('asks for and keeps the provider cache diagnostics beside its own check', async () => {
    const r = await runTask(
      longScript(4),
      variant({
        cache_diagnostics: true,
        layout: {
          order: ['developer', 'environment', 'task'],
          tool_order: 'fixed',
          cache_breakpoints: [],
          perturb: { at_turn: 3, change: 'reorder_tools' },
        },
      }),
    );
    expect(r.turns[0]!.provider_diagnostics).toBeNull(); // nothing to compare the first turn with
    expect(r.turns[1]!.provider_diagnostics).toMatchObject({ type: 'cache_hit' });
    expect(r.turns[2]!.provider_diagnostics).toMatchObject({ type: 'cache_miss', reason: 'tools_changed' });
    expect(r.turns[2]!.prefix.reason).toBe('tools_reordered');
    await r.sandbox.destroy();
  });

  it('sends the variant’s prompt_cache_options: explicit mode caches only at the layout’s breakpoints', async () => {
    // Modes are a GPT-5.6-generation feature: sim-exact follows that profile.
    const cachedAfterFirst = async (v: VariantSpec) => {
      const r = await runTask(longScript(3), { ...v, model: 'sim-exact' });
      await r.sandbox.destroy();
      return r.turns.slice(1).map((t) => t.cached_tokens ?? -1);
    };
    const layout = (cache_breakpoints: VariantSpec['layout']['cache_breakpoints']) => ({
      ...variant().layout,
      cache_breakpoints,
    });
    const implicit = await cachedAfterFirst(variant({ layout: layout(['task']) }));
    const explicitOnly = await cachedAfterFirst(
      variant({ layout: layout(['task']), prompt_cache_options: { mode: 'explicit' } }),
    );
    // Explicit mode without a breakpoint: the request uses no prompt caching at all.
    const none = await cachedAfterFirst(variant({ prompt_cache_options: { mode: 'explicit', ttl: '30m' } }));
    expect(none.every((n) => n === 0)).toBe(true);
    // Only the prefix up to the task's breakpoint is read back, the same on every turn.
    expect(explicitOnly.every((n) => n > 0 && n === explicitOnly[0])).toBe(true);
    // Implicit mode also caches the growing history.
    expect(implicit.at(-1)!).toBeGreaterThan(explicitOnly.at(-1)!);
  });

  it('records an output cut short by max_output_tokens and answers the broken call as invalid', async () => {
    const script = SimScriptSchema.parse({
      steps: [
        { tool: 'write_file', args: { path: 'long.txt', content: 'word '.repeat(200) } },
        { shell: 'echo next' },
      ],
      final: 'Done. Result: ok',
    });
    const r = await runTask(script, variant({ max_output_tokens: 40 }));
    expect(r.turns[0]!.incomplete_reason).toBe('max_output_tokens');
    expect(r.turns[0]!.output_tokens).toBe(40);
    const first = r.events.find((e) => e.type === 'tool_call');
    expect(first).toMatchObject({ tool: 'write_file', ok: false, error: 'invalid_arguments' });
    expect(r.result.stopReason).toBe('final');
    await r.sandbox.destroy();
  });
});
