import { describe, expect, it } from 'vitest';
import { runInfoFrom } from '../../../src/otel/index.js';
import { sampleSpan, TurnExtrasIndex, toolSpan, turnSpan } from '../../../src/otel/span-specs.js';
import type { ToolCallEvent } from '../../../src/telemetry/index.js';
import { generateSample } from '../../fixtures/runs/generate.js';

const run = runInfoFrom('r1', 'suite', { variants: [{ name: 'v', provider: 'openai', model: 'gpt-5' }] });
const START = '2025-01-01T00:00:00.000Z';

describe('span descriptions from records', () => {
  it('the root span of a failed sample is an error with the error kind', () => {
    const { sample } = generateSample(
      'r1',
      { task_id: 't', variant: 'v', epoch: 1, turns: 2, outcome: 'error' },
      START,
    );
    const spec = sampleSpan(sample, run, { captureContent: false });
    expect(spec.name).toBe('invoke_agent turnbench');
    expect(spec.attributes['gen_ai.provider.name']).toBe('openai');
    expect(spec.attributes['gen_ai.request.model']).toBe('gpt-5');
    expect(spec.error).toEqual({ type: sample.error?.kind, message: sample.error?.message });
    expect(spec.attributes['error.type']).toBe(sample.error?.kind);
  });

  it('a compaction lands on the span of the turn it is recorded at; the diff only with content', () => {
    const g = generateSample(
      'r1',
      { task_id: 't', variant: 'v', epoch: 1, turns: 5, outcome: true, compactAfter: 2, breakAt: 4 },
      START,
    );
    const withDiff = g.events.map((e) => (e.type === 'cache_break' ? { ...e, diff: '- a\n+ b' } : e));
    const plain = new TurnExtrasIndex(false);
    const content = new TurnExtrasIndex(true);
    for (const e of withDiff) {
      plain.add(e);
      content.add(e);
    }
    const compaction = g.events.find((e) => e.type === 'compaction');
    if (compaction?.type !== 'compaction') throw new Error('fixture has no compaction');
    for (const t of g.turns) {
      const spec = turnSpan(t, plain.for(t.turn), { captureContent: false });
      expect(spec.name).toBe('chat sim-1');
      if (t.turn === compaction.turn) {
        expect(spec.attributes).toMatchObject({
          'turnbench.compaction.method': 'endpoint',
          'turnbench.compaction.tokens_before': compaction.tokens_before,
          'turnbench.compaction.tokens_after': compaction.tokens_after ?? -1,
        });
      } else expect(spec.attributes['turnbench.compaction.method']).toBeUndefined();
      expect(spec.events.some((e) => e.name === 'turnbench.cache_break')).toBe(false);
    }
    const broken = g.turns.find((t) => t.turn === 4);
    if (!broken) throw new Error('no turn 4');
    const spec = turnSpan(broken, content.for(4), { captureContent: true });
    expect(spec.attributes['turnbench.prefix.reason']).toBe('tools_reordered');
    expect(spec.events).toContainEqual(
      expect.objectContaining({
        name: 'turnbench.cache_break',
        attributes: { 'turnbench.prefix.diff': '- a\n+ b' },
      }),
    );
  });

  it('a command that exits non-zero is not a failed tool call; an invalid call is', () => {
    const base: ToolCallEvent = {
      schema: 1,
      run_id: 'r1',
      sample_id: 's',
      at: '2025-01-01T00:00:01.000Z',
      turn: 1,
      type: 'tool_call',
      call_id: 'c1',
      tool: 'shell',
      ok: false,
      error: 'nonzero_exit',
      exit_code: 1,
      duration_ms: 250,
      output_bytes: 10,
      truncated: false,
    };
    const exit1 = toolSpan(base);
    expect(exit1.error).toBeNull();
    expect(exit1.start.toISOString()).toBe('2025-01-01T00:00:00.750Z');
    const invalid = toolSpan({ ...base, error: 'invalid_arguments', exit_code: null });
    expect(invalid.error?.type).toBe('invalid_arguments');
    expect(invalid.attributes['error.type']).toBe('invalid_arguments');
  });
});
