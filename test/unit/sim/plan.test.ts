import { describe, expect, test } from 'vitest';
import { FaultInjector } from '../../../src/sim/behaviour/faults.js';
import { planLatency } from '../../../src/sim/behaviour/latency.js';
import { decodeCompaction, encodeCompaction } from '../../../src/sim/compaction/codec.js';
import { renderResponsesRequest } from '../../../src/sim/responses/render.js';
import { emptyView } from '../../../src/sim/script/conversation.js';
import { planTurn, progressOf } from '../../../src/sim/script/plan.js';
import { SimScriptRegistry, taskKeyHash } from '../../../src/sim/script/registry.js';

const script = { steps: [{ shell: 'a' }, { shell: 'b' }, { shell: 'c' }], final: 'end', reasoning_tokens: 0 };

describe('planTurn', () => {
  test('next step follows the highest call id step in the history', () => {
    const registry = new SimScriptRegistry();
    registry.register('task', script);
    const view = { ...emptyView(), userTexts: ['task'], callIds: ['call_s1_0_abc', 'call_s0_0_x'] };
    const r = planTurn(view, registry, 0);
    expect(r.progress).toBe(1);
    expect(r.plan.kind === 'calls' && r.plan.step).toBe(2);
  });

  test('a task sent as one text part among others (tags around an image) finds its script', () => {
    const registry = new SimScriptRegistry();
    registry.register('task', script);
    const parts = [
      { type: 'input_text', text: '<image name=[Image #1]>' },
      { type: 'input_image', image_url: 'data:image/png;base64,AAAA' },
      { type: 'input_text', text: '</image>' },
      { type: 'input_text', text: 'task' },
    ];
    const { view } = renderResponsesRequest([], null, [{ type: 'message', role: 'user', content: parts }]);
    expect(view.userTexts).toEqual(['<image name=[Image #1]></image>task']);
    expect(planTurn(view, registry, 0).plan).toMatchObject({ kind: 'calls', step: 0 });
    // a message of one text part is matched whole only, as before
    const alone = renderResponsesRequest([], null, [
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'the task' }] },
    ]);
    expect(alone.view.userTextParts).toEqual([]);
    expect(planTurn(alone.view, registry, 0).plan).toEqual({
      kind: 'message',
      text: 'Done.',
      summary: false,
    });
  });

  test('a resumed session: the latest task message runs its own script, from its start', () => {
    const registry = new SimScriptRegistry();
    registry.register('task', script);
    registry.register('next task', { steps: [{ shell: 'x' }], final: 'next end', reasoning_tokens: 0 });
    const earlier = [
      { type: 'message', role: 'user', content: 'task' },
      ...['0', '1', '2'].flatMap((step) => [
        { type: 'function_call', call_id: `call_s${step}_0_a`, name: 'shell', arguments: '{}' },
        { type: 'function_call_output', call_id: `call_s${step}_0_a`, output: `out ${step}` },
      ]),
      { type: 'message', role: 'assistant', content: 'end [sim-progress:2]' },
      { type: 'message', role: 'user', content: 'next task' },
    ];
    const resumed = renderResponsesRequest([], null, earlier);
    const first = planTurn(resumed.view, registry, 0);
    expect(first.plan).toMatchObject({ kind: 'calls', step: 0, calls: [{ name: 'shell' }] });
    // nothing of the earlier task goes into the new task's summary
    expect(first.summarise()).toContain('Task: next task. Tool calls made: 0.');
    expect(first.summarise()).not.toContain('out 2');
    const call = { type: 'function_call', call_id: 'call_s0_0_b', name: 'shell', arguments: '{}' };
    const done = renderResponsesRequest([], null, [
      ...earlier,
      call,
      { type: 'function_call_output', call_id: 'call_s0_0_b', output: 'ok' },
    ]);
    expect(planTurn(done.view, registry, 0).plan).toEqual({
      kind: 'message',
      text: 'next end',
      summary: false,
    });
  });

  test('progress from a compaction state (found by task hash) and from summary markers', () => {
    const registry = new SimScriptRegistry();
    registry.register('task', script);
    const state = {
      v: 1 as const,
      kind: 'endpoint' as const,
      step: 1,
      task: taskKeyHash('task'),
      summary: 's',
    };
    const decoded = decodeCompaction(encodeCompaction(state));
    expect(decoded).toEqual(state);
    const fromCompaction = planTurn({ ...emptyView(), compactions: [state] }, registry, 0);
    expect(fromCompaction.plan.kind === 'calls' && fromCompaction.plan.step).toBe(2);
    expect(progressOf({ ...emptyView(), assistantTexts: ['Summary ... [sim-progress:2]'] })).toBe(2);
    const done = planTurn(
      { ...emptyView(), userTexts: ['task'], assistantTexts: ['[sim-progress:2]'] },
      registry,
      0,
    );
    expect(done.plan).toEqual({ kind: 'message', text: 'end', summary: false });
  });

  test('foreign or corrupt compaction content is ignored', () => {
    expect(decodeCompaction('gAAAAABrealopaquecontent')).toBeNull();
    expect(decodeCompaction('sim1.bm90IGpzb24')).toBeNull();
  });
});

describe('latency and faults', () => {
  test('ttft grows with uncached tokens; cached prefill is cheaper', () => {
    const latency = {
      ttft_ms: 100,
      prefill_tokens_per_s: 1000,
      cached_prefill_tokens_per_s: 10_000,
      decode_tokens_per_s: 50,
      jitter: 0,
    };
    const cold = planLatency(latency, 10_000, 0, () => 0.5);
    const warm = planLatency(latency, 10_000, 9_000, () => 0.5);
    expect(cold.ttftMs).toBe(100 + 10_000);
    expect(warm.ttftMs).toBe(100 + 1_000 + 900);
    expect(cold.perOutputTokenMs).toBe(20);
    expect(planLatency(null, 10_000, 0, () => 0.5)).toEqual({ ttftMs: 0, perOutputTokenMs: 0 });
  });

  test('fault draws repeat per (seed, request, attempt)', () => {
    const faults = {
      rate_429: 0.3,
      rate_500: 0.3,
      rate_503: 0,
      rate_cut_stream: 0.5,
      rate_malformed_args: 0,
      retry_after_s: 1,
      rate_slow: 0,
      slow_ms: 0,
    };
    const a = new FaultInjector();
    const b = new FaultInjector();
    const seqA = Array.from({ length: 20 }, (_, i) => a.decide(faults, 5, `k${i % 4}`));
    const seqB = Array.from({ length: 20 }, (_, i) => b.decide(faults, 5, `k${i % 4}`));
    expect(seqA).toEqual(seqB);
    expect(new Set(seqA.map((d) => d.status)).size).toBeGreaterThan(1);

    // Another seed's requests for the same prompts do not use up this seed's attempts.
    const c = new FaultInjector();
    const seqC = Array.from({ length: 20 }, (_, i) => {
      c.decide(faults, 6, `k${i % 4}`);
      return c.decide(faults, 5, `k${i % 4}`);
    });
    expect(seqC).toEqual(seqA);
  });
});
