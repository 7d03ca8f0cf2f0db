import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { loadPricing } from '../../../src/config/index.js';
import { readSamples, repriceRun } from '../../../src/report/index.js';
import {
  EventRecordSchema,
  RunManifestSchema,
  SampleRecordSchema,
  TurnRecordSchema,
} from '../../../src/telemetry/index.js';
import { assertBuilt, readJsonl, runCli, turnbenchContainers, uniqueRunId } from './helpers.js';

const DEMO = uniqueRunId('demo-test');

const VariantLine = z.object({
  variant: z.string(),
  samples: z.number(),
  passed: z.number(),
  pass_rate: z.number(),
  turns: z.number(),
  input_tokens: z.number(),
  cached_tokens: z.number(),
  cache_write_tokens: z.number(),
  output_tokens: z.number(),
  reasoning_tokens: z.number(),
  cache_hit_rate: z.number(),
  compactions: z.number(),
  cost_usd: z.number(),
  wall_ms: z.number(),
});
const RunJson = z.object({ run_id: z.string(), results_dir: z.string(), variants: z.array(VariantLine) });

/**
 * The README's demo, end to end through the built CLI: every demo task in a real Docker sandbox
 * against the in-process sim, all three layouts.
 */
describe('turnbench run tasks/demo/suite.yaml (Docker + sim)', () => {
  const resultsDir = mkdtempSync(join(tmpdir(), 'tb-demo-'));
  let json: z.infer<typeof RunJson>;
  let runDir: string;

  beforeAll(async () => {
    assertBuilt();
    const result = await runCli(
      ['run', 'tasks/demo/suite.yaml', '--run-id', DEMO, '--results-dir', resultsDir, '--json'],
      {
        timeoutMs: 290_000,
      },
    );
    if (result.code !== 0) throw new Error(`run failed (${result.code}):\n${result.stderr.slice(-3000)}`);
    // stdout is exactly one JSON object
    json = RunJson.parse(JSON.parse(result.stdout));
    runDir = join(resultsDir, DEMO);
  }, 300_000);

  it('scores every sample and writes one turn record per model request', () => {
    const manifest = RunManifestSchema.parse(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')));
    expect(manifest.status).toBe('completed');
    const samples = readJsonl(join(runDir, 'samples.jsonl')).map((l) => SampleRecordSchema.parse(l));
    expect(samples).toHaveLength(manifest.sample_ids.length);
    expect(new Set(samples.map((s) => s.sample_id)).size).toBe(samples.length);
    for (const s of samples) {
      expect(s.status, `${s.sample_id}: ${s.error?.message}`).toBe('completed');
      expect(s.passed, `${s.sample_id}: ${s.score_detail}`).toBe(true);
    }
    const turns = readJsonl(join(runDir, 'turns.jsonl')).map((l) => TurnRecordSchema.parse(l));
    expect(turns).toHaveLength(samples.reduce((n, s) => n + s.turns, 0));
    for (const s of samples) {
      const own = turns.filter((t) => t.sample_id === s.sample_id).map((t) => t.turn);
      expect(own).toEqual(Array.from({ length: s.turns }, (_, i) => i + 1));
    }
    expect(json.variants.map((v) => v.variant)).toEqual([
      'stable',
      'timestamp',
      'rotating-tools',
      'tool-dropped',
      'model-switch',
      'env-edited',
      'effort-change',
    ]);
  });

  it('shows the stable layout caching far better than the timestamp layout', () => {
    const stable = json.variants.find((v) => v.variant === 'stable')!;
    const timestamp = json.variants.find((v) => v.variant === 'timestamp')!;
    expect(stable.cache_hit_rate).toBeGreaterThanOrEqual(0.5);
    expect(stable.cache_hit_rate - timestamp.cache_hit_rate).toBeGreaterThanOrEqual(0.2);
    expect(stable.cache_hit_rate).toBeCloseTo(stable.cached_tokens / stable.input_tokens, 10);
  });

  it('records compaction events and cache breaks with their reasons', () => {
    const events = readJsonl(join(runDir, 'events.jsonl')).map((l) => EventRecordSchema.parse(l));
    expect(events.some((e) => e.type === 'compaction')).toBe(true);
    const reasons = new Set(events.flatMap((e) => (e.type === 'cache_break' ? [e.reason] : [])));
    for (const reason of [
      'instructions_changed',
      'tools_reordered',
      'tools_changed',
      'model_changed',
      'item_changed',
      'settings_changed',
    ]) {
      expect(reasons).toContain(reason);
    }
  });

  it('re-pricing with the shipped prices gives back every recorded sample cost (compaction requests included)', async () => {
    const recorded = (await readSamples(runDir)).samples;
    const repriced = (await readSamples(runDir, await repriceRun(runDir, await loadPricing()))).samples;
    expect(repriced.size).toBe(recorded.size);
    for (const [id, s] of recorded) expect(repriced.get(id)?.cost_usd, id).toBeCloseTo(s.cost_usd ?? -1, 12);
  });

  it('leaves no container behind', async () => {
    expect(await turnbenchContainers(DEMO)).toEqual([]);
  });
});
