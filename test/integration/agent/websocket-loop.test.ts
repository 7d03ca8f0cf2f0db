import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimScriptSchema, VariantSchema, type VariantSpec } from '../../../src/config/index.js';
import { loadPricing } from '../../../src/config/pricing.js';
import { type SimServer, startSimServer } from '../../../src/sim/index.js';
import type { TurnRecord } from '../../../src/telemetry/index.js';
import { type Recorded, runTaskOnSim } from './run-task.js';

/**
 * The same sample over `transport: http` and `transport: websocket`, each against a fresh sim
 * (same seed, so the cache starts empty both times): the turn records must agree on everything
 * the model reported and everything derived from it. Only bytes sent differ, by the WebSocket
 * envelope: `"type":"response.create",` is added and `"stream":true,` dropped (+11 bytes).
 */

const INSTRUCTIONS = `You are a careful coding agent in a sandbox. ${'Follow the house rules closely. '.repeat(60)}`;
const TASK = 'Walk through data.txt round by round and report. (websocket comparison)';
const ENVELOPE_BYTES = Buffer.byteLength('"type":"response.create",') - Buffer.byteLength('"stream":true,');

let pricing: Awaited<ReturnType<typeof loadPricing>>;
const sims: SimServer[] = [];
beforeAll(async () => {
  pricing = await loadPricing();
});
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

function variant(overrides: Partial<VariantSpec>): VariantSpec {
  return VariantSchema.parse({
    name: 'v',
    provider: 'sim',
    model: 'sim-1',
    instructions: INSTRUCTIONS,
    ...overrides,
  });
}

async function run(v: VariantSpec): Promise<{ recorded: Recorded; sim: SimServer }> {
  const sim = await startSimServer({ seed: 3 });
  sims.push(sim);
  const script = SimScriptSchema.parse({
    // read_file, not shell: a shell result carries its wall time, which differs run to run
    steps: [
      {
        repeat: 12,
        tool: 'read_file',
        args: { path: 'data.txt' },
        say: 'Round {{i}}: reading data.txt again.',
      },
    ],
    final: 'Walked through every round. Result: ok',
    reasoning_tokens: 16,
  });
  const recorded = await runTaskOnSim(sim, pricing, script, v, {
    taskText: TASK,
    promptCacheKey: 'ws-compare',
    // the local sandbox's temp dir differs per run; the prompt must not
    envCwd: '/workspace',
  });
  await recorded.sandbox.destroy();
  return { recorded, sim };
}

/** What must not depend on the transport. */
function modelFacts(t: TurnRecord) {
  return {
    turn: t.turn,
    kind: t.kind,
    model: t.model,
    input_tokens: t.input_tokens,
    cached_tokens: t.cached_tokens,
    cache_write_tokens: t.cache_write_tokens,
    output_tokens: t.output_tokens,
    reasoning_tokens: t.reasoning_tokens,
    cache_hit_rate: t.cache_hit_rate,
    item_count: t.item_count,
    instructions_hash: t.instructions_hash,
    tools_hash: t.tools_hash,
    // not items_hash: the history carries the output's item ids, which are random per response
    // lost_tokens is our own estimate over items that carry the output's random ids
    prefix: { ...t.prefix, lost_tokens: t.prefix.lost_tokens === null ? null : 'estimated' },
    expected_cached_tokens: t.expected_cached_tokens,
    cache_class: t.cache_class,
    after_compaction: t.after_compaction,
    tool_calls: t.tool_calls,
    retries: t.retries,
    cost_usd: t.cost_usd,
  };
}

describe('the built-in loop over transport websocket', () => {
  for (const compaction of [
    { policy: 'none', threshold: 16_000 },
    { policy: 'trigger', threshold: 1600 },
    { policy: 'server', threshold: 1600 },
  ] as const) {
    it(`records the same turns as over HTTP (compaction ${compaction.policy})`, async () => {
      const http = await run(variant({ transport: 'http', compaction }));
      const ws = await run(variant({ transport: 'websocket', compaction }));

      expect(ws.recorded.result).toEqual(http.recorded.result);
      expect(ws.recorded.result.stopReason).toBe('final');
      expect(ws.recorded.turns.map(modelFacts)).toEqual(http.recorded.turns.map(modelFacts));
      // the comparison is worth something only if the run had cache hits (and compactions)
      expect(ws.recorded.turns.some((t) => t.cache_class === 'hit')).toBe(true);
      if (compaction.policy !== 'none') expect(ws.recorded.totals.compactions).toBeGreaterThan(0);

      const pairs = ws.recorded.turns.map((t, i) => [t, http.recorded.turns[i]!] as const);
      for (const [w, h] of pairs) {
        expect(w.bytes_sent! - h.bytes_sent!).toBe(ENVELOPE_BYTES);
        expect(w.ttft_ms).not.toBeNull();
        expect(w.ttft_ms!).toBeLessThanOrEqual(w.latency_ms!);
      }

      // every request went over the one socket, none over HTTP
      expect(ws.sim.traffic.websocketUpgrades).toBe(1);
      expect(ws.sim.traffic.http['POST /v1/responses'] ?? 0).toBe(0);
      expect(ws.sim.traffic.websocketEvents['response.create']).toBe(ws.recorded.turns.length);
      expect(http.sim.traffic.websocketUpgrades).toBe(0);
      expect(http.sim.traffic.http['POST /v1/responses']).toBe(http.recorded.turns.length);
    });
  }
});
