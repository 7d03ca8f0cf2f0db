import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  formatSummaryTable,
  RunNotFoundError,
  readJsonl,
  resolveRunDir,
  summarizeRun,
} from '../../../src/report/index.js';
import { SampleRecordSchema } from '../../../src/telemetry/index.js';

const RUNS = join(import.meta.dirname, '../../fixtures/runs');

/*
 * Hand-computed from the fixture design (test/fixtures/runs/generate.ts): per epoch, tasks alpha (3 turns),
 * beta (4 turns, compacted after turn 2 to 1300 tokens) and gamma (2 turns); turn k sends 1200 + 300(k-1)
 * tokens; the stable variant reads floor(previous/128)*128 from cache.
 *   alpha 1200+1500+1800 = 4500 in, 0+1152+1408 = 2560 cached
 *   beta  1200+1500+1300+1600 = 5600 in, 0+1152+0+1280 = 2432 cached
 *   gamma 1200+1500 = 2700 in, 0+1152 = 1152 cached
 * Two epochs: 25,600 input, 12,288 cached (hit rate 0.48), 18 turns, 900 output, 180 reasoning.
 * Cost at sim-1 prices: (13,312 x 1.25 + 12,288 x 0.125 + 900 x 10) / 1e6 = 0.027176.
 * Wall: alpha 402+404+406+2x30 = 1272, beta 1620+90 = 1710, gamma 806+30 = 836; x2 = 7636 ms.
 * The unstable variant never hits: cost (25,600 x 1.25 + 9000) / 1e6 = 0.041.
 */
describe('summarizeRun on the baseline fixture', () => {
  it('computes the per-variant numbers', async () => {
    const s = await summarizeRun(resolveRunDir('fixture-base', RUNS));
    expect(s.run_id).toBe('fixture-base');
    expect(s.status).toBe('completed');
    expect(s.results_dir).toBe(RUNS);
    expect(s.variants.map((v) => v.variant)).toEqual(['stable', 'unstable']);
    const [stable, unstable] = s.variants;
    expect(stable).toMatchObject({
      samples: 6,
      passed: 5,
      errors: 0,
      turns: 18,
      input_tokens: 25_600,
      cached_tokens: 12_288,
      cache_write_tokens: 0,
      output_tokens: 900,
      reasoning_tokens: 180,
      compactions: 2,
      wall_ms: 7636,
      bytes_sent: 102_400,
      cache_breaks: 0,
      cached_unknown: 0,
      cost_unknown: 0,
    });
    expect(stable?.pass_rate).toBeCloseTo(5 / 6, 12);
    expect(stable?.cache_hit_rate).toBeCloseTo(0.48, 12);
    expect(stable?.cost_usd).toBeCloseTo(0.027176, 10);
    // alpha 2 breaks + beta 2 (turn 3 follows a compaction, not a break) + gamma 1 = 5 per epoch.
    expect(unstable).toMatchObject({
      samples: 6,
      passed: 3,
      errors: 1,
      cached_tokens: 0,
      cache_hit_rate: 0,
      cache_breaks: 10,
    });
    // gamma #2 ended in error: no score, so it is out of the pass rate (3 of the 5 scored)
    expect(unstable?.scored).toBe(5);
    expect(unstable?.pass_rate).toBe(0.6);
    expect(unstable?.cost_usd).toBeCloseTo(0.041, 10);
  });

  it('accepts a run folder path as well as an id, and names what is missing', () => {
    expect(resolveRunDir(join(RUNS, 'fixture-base'), '/nonexistent')).toBe(join(RUNS, 'fixture-base'));
    expect(() => resolveRunDir('no-such-run', RUNS)).toThrow(RunNotFoundError);
    expect(() => resolveRunDir('no-such-run', RUNS)).toThrow(/no-such-run.*run\.json/);
  });
});

describe('readJsonl', () => {
  it('skips the torn last line left by a crash and counts it', async () => {
    const seen: string[] = [];
    const r = await readJsonl(join(RUNS, 'fixture-base', 'samples.jsonl'), SampleRecordSchema, (s) => {
      seen.push(s.sample_id);
    });
    expect(r).toEqual({ lines: 13, skipped: 1 });
    expect(seen).toHaveLength(12);
  });
  it('counts lines that do not match the schema as skipped and reads a missing file as empty', async () => {
    const r = await readJsonl(
      join(RUNS, 'fixture-base', 'turns.jsonl'),
      z.object({ turn: z.literal(1) }),
      () => {},
    );
    expect(r.lines).toBe(37); // 36 turns + the torn line
    expect(r.skipped).toBe(37 - 12); // only the 12 first turns match
    expect(await readJsonl(join(RUNS, 'nothing.jsonl'), z.unknown(), () => {})).toEqual({
      lines: 0,
      skipped: 0,
    });
  });
});

describe('formatSummaryTable', () => {
  it('prints one aligned row per variant, plain without colour', async () => {
    const s = await summarizeRun(join(RUNS, 'fixture-base'));
    const text = formatSummaryTable(s, { color: false });
    expect(text).not.toContain('\u001b[');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('run fixture-base (completed)');
    expect(lines[1]).toMatch(
      /^variant\s+samples\s+pass\s+turns\s+input\s+cached\s+hit rate\s+writes\s+output\s+compactions\s+cost\s+wall$/,
    );
    expect(lines[2]).toMatch(
      /^stable\s+6\s+83\.3%\s+18\s+25\.6k\s+12\.3k\s+48\.0%\s+0\s+900\s+2\s+\$0\.0272\s+7\.6s$/,
    );
    expect(lines[3]).toMatch(
      /^unstable\s+6\s+60\.0%\s+18\s+25\.6k\s+0\s+0\.0%\s+0\s+900\s+2\s+\$0\.0410\s+7\.6s$/,
    );
    expect(new Set(lines.slice(1, 4).map((l) => l.length)).size).toBe(1);
  });
  it('colours when asked', async () => {
    const s = await summarizeRun(join(RUNS, 'fixture-base'));
    expect(formatSummaryTable(s, { color: true })).toContain('\u001b[');
  });
});
