import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import type { Response } from 'openai/resources/responses/responses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimScriptSchema, VariantSchema, type VariantSpec } from '../../../src/config/index.js';
import { loadPricing } from '../../../src/config/pricing.js';
import { type SimServer, startSimServer } from '../../../src/sim/index.js';
import { runTaskOnSim } from './run-task.js';

/**
 * The built-in loop's stateless reasoning against the sim's reasoning items (a model family that
 * reasons): it asks for `reasoning.encrypted_content`, the sim sends a reasoning item with it,
 * the loop resends every item in order, and the sim counts each resent item for the reasoning
 * it stands for.
 */

const REASONING = 30;
const script = SimScriptSchema.parse({
  steps: [{ repeat: 3, shell: 'echo step {{i}}' }],
  final: 'Ran the three steps. Result: ok',
  reasoning_tokens: REASONING,
});

let sim: SimServer;
let pricing: Awaited<ReturnType<typeof loadPricing>>;
const responses: Response[] = [];

beforeAll(async () => {
  sim = await startSimServer({ onResponse: (response) => responses.push(response) });
  pricing = await loadPricing();
});
afterAll(async () => {
  await sim.close();
});

function variant(overrides: Partial<VariantSpec>): VariantSpec {
  return VariantSchema.parse({
    name: 'v',
    provider: 'sim',
    model: 'gpt-5.5',
    reasoning_effort: 'low',
    instructions: 'You are a careful coding agent.',
    tools: ['shell'],
    ...overrides,
  });
}

describe('reasoning items from the sim, carried by the loop', () => {
  it('are resent byte-identical in order, each turn an exact extension, counted as the reasoning they carry', async () => {
    responses.length = 0;
    const taskText = 'Run the three reasoning steps.';
    // the same environment text for both runs (the sandboxes' temp dirs differ)
    const same = { taskText, envCwd: '/workspace' };
    const carried = await runTaskOnSim(sim, pricing, script, variant({}), { ...same, promptCacheKey: 'a' });
    const carriedResponses = [...responses];
    responses.length = 0;
    const dropped = await runTaskOnSim(sim, pricing, script, variant({ carry_reasoning: false }), {
      ...same,
      promptCacheKey: 'b',
    });

    expect(carried.result.stopReason).toBe('final');
    expect(carried.turns.map((t) => t.prefix.extends_previous)).toEqual([null, true, true, true]);
    for (const r of carriedResponses) {
      const item = r.output[0];
      expect(item?.type).toBe('reasoning');
      expect(item?.type === 'reasoning' && item.encrypted_content).toMatch(/^simr1\./);
    }
    expect(carried.turns.every((t) => t.reasoning_tokens === REASONING)).toBe(true);
    // each resent reasoning item costs its reasoning in the next requests' input
    const perItem = countTokens('<|reasoning|>\n') + REASONING;
    const extra = carried.turns.map((t, k) => t.input_tokens - (dropped.turns[k]?.input_tokens ?? 0));
    expect(extra).toEqual([0, perItem, 2 * perItem, 3 * perItem]);
  });
});
