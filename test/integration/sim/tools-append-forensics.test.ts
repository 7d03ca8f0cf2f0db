import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VariantSchema } from '../../../src/config/index.js';
import { createModelClient, resolveEndpoint } from '../../../src/model/index.js';
import type { ModelClient, ModelRequest, PromptItem, ToolDefinition } from '../../../src/model/types.js';
import { type SimServer, startSimServer } from '../../../src/sim/index.js';
import { hitTolerance } from '../../../src/telemetry/cache-class.js';
import { CacheForensics, outputItemsAsInput, type TurnForensics } from '../../../src/telemetry/index.js';

/**
 * The forensics' expected cached tokens against what the sim (block-128 profile, as the older
 * OpenAI models) really caches when the tools change in front of an unchanged history: the sim
 * caches the longest prefix it has (tools, then instructions, then items), so a tool appended at
 * the end of the list keeps every tool before it cached, and the expectation must say so.
 */
const tool = (name: string): ToolDefinition => ({
  type: 'function',
  name,
  description: `${name}: ${'Use it with care, read its whole output, and never guess what it printed. '.repeat(24)}`,
  strict: false,
  parameters: { type: 'object', properties: { arg: { type: 'string' } }, required: ['arg'] },
});
const TOOLS = ['shell', 'apply_patch', 'update_plan', 'read_file', 'write_file'].map(tool);
const user = (text: string): PromptItem => ({
  type: 'message',
  role: 'user',
  content: [{ type: 'input_text', text }],
});

let sim: SimServer;
let client: ModelClient;

beforeAll(async () => {
  sim = await startSimServer({});
  const variant = VariantSchema.parse({ name: 'v', provider: 'sim', model: 'sim-1', instructions: 'x' });
  client = createModelClient(variant, resolveEndpoint(variant, {}, sim.url));
});
afterAll(async () => {
  client.close?.();
  await sim.close();
});

/** A conversation whose request at turn 3 is changed by `change`; the forensics and usage of each turn. */
async function conversation(key: string, change: (req: ModelRequest) => ModelRequest) {
  const forensics = new CacheForensics();
  let input: PromptItem[] = [user(`Task ${key}: look around, then report. ${'Context line. '.repeat(40)}`)];
  const turns: Array<{ f: TurnForensics; input: number; cached: number | null }> = [];
  for (let turn = 1; turn <= 3; turn++) {
    const base: ModelRequest = {
      model: 'sim-1',
      instructions: `You are a careful agent. ${'Keep to the house rules. '.repeat(30)}`,
      tools: TOOLS,
      input,
      store: false,
      parallelToolCalls: true,
      promptCacheKey: key,
    };
    const request = turn === 3 ? change(base) : base;
    const response = await client.respond(request);
    const outputAsInput = outputItemsAsInput(response.output);
    const f = forensics.turn({
      turn,
      request,
      outputAsInput,
      inputTokens: response.usage.inputTokens,
      cachedTokens: response.usage.cachedTokens,
      afterCompaction: false,
    });
    turns.push({ f, input: response.usage.inputTokens, cached: response.usage.cachedTokens });
    input = [...input, ...outputAsInput, user(`turn ${turn + 1}: go on`)];
  }
  return turns;
}

describe('expected cached tokens after a tools change, against the sim', () => {
  it('a tool appended at the end: the sim keeps the old tools cached and the expectation says as much', async () => {
    const turns = await conversation('append', (req) => ({
      ...req,
      tools: [...req.tools, tool('web_search')],
    }));
    // the control: turn 2 extended turn 1 and hit as expected
    expect(turns[1]!.f.cache_class).toBe('hit');
    const third = turns[2]!;
    expect(third.f.prefix).toMatchObject({
      extends_previous: false,
      diverged_at: 'tools',
      reason: 'tools_changed',
    });
    expect(third.f.prefix.detail).toBe('tools changed: added web_search');
    // the old tools are well past the 1024-token minimum, so the sim served them
    expect(third.cached!).toBeGreaterThanOrEqual(2048);
    expect(third.cached!).toBeLessThan(turns[1]!.input);
    expect(third.f.expected_cached_tokens).toBeGreaterThanOrEqual(2048);
    expect(third.f.expected_cached_tokens % 128).toBe(0);
    // the two agree within the tolerance a hit is judged by (one 128-token step)
    expect(Math.abs(third.cached! - third.f.expected_cached_tokens)).toBeLessThanOrEqual(
      hitTolerance(third.f.expected_cached_tokens, { minTokens: 1024, step: 128 }),
    );
    // the harness changed the tools: a harness break, never a provider miss
    expect(third.f.cache_class).toBe('harness_break');
  });

  it('a new tool put first: the sim caches nothing and nothing is expected', async () => {
    const turns = await conversation('prepend', (req) => ({
      ...req,
      tools: [tool('web_search'), ...req.tools],
    }));
    const third = turns[2]!;
    expect(third.f.prefix.reason).toBe('tools_changed');
    expect(third.cached).toBe(0);
    expect(third.f.expected_cached_tokens).toBe(0);
  });

  it('instructions changed: every tool (rendered before them) stays cached, as expected', async () => {
    const turns = await conversation('instructions', (req) => ({ ...req, instructions: 'Be terse.' }));
    const third = turns[2]!;
    expect(third.f.prefix.reason).toBe('instructions_changed');
    expect(third.cached!).toBeGreaterThanOrEqual(2048);
    expect(Math.abs(third.cached! - third.f.expected_cached_tokens)).toBeLessThanOrEqual(128);
  });
});
