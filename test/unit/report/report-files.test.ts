import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatHistory,
  listRuns,
  type ReportData,
  type ReportFiles,
  SAMPLE_COLUMNS,
  sparkline,
  TURN_COLUMNS,
  writeReport,
} from '../../../src/report/index.js';

const RUNS = join(import.meta.dirname, '../../fixtures/runs');
const out = mkdtempSync(join(tmpdir(), 'turnbench-report-'));
let files: ReportFiles;
let data: ReportData;

beforeAll(async () => {
  ({ files, data } = await writeReport(join(RUNS, 'fixture-base'), { outDir: out }));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('aggregated report data (fixture-base)', () => {
  it('per-turn means of the stable variant', () => {
    const points = data.by_turn.stable ?? [];
    expect(points.map((p) => p.turn)).toEqual([1, 2, 3, 4]);
    expect(points.map((p) => p.samples)).toEqual([6, 6, 4, 2]);
    // turn 2: every task sends 1500 and reads 1152; turn 3: alpha 1800/1408, beta 1300/0 (after compaction).
    expect(points[1]).toMatchObject({ mean_input: 1500, mean_cached: 1152, mean_bytes: 6000 });
    expect(points[1]?.hit_rate).toBeCloseTo(1152 / 1500, 12);
    expect(points[2]).toMatchObject({ mean_input: 1550, mean_cached: 704 });
    expect(points[2]?.hit_rate).toBeCloseTo(1408 / 3100, 12);
    expect(points.map((p) => p.cum_input)).toEqual([1200, 2700, 4250, 5850]);
    expect(points.map((p) => p.cum_uncached)).toEqual([1200, 1548, 2394, 2714]);
  });
  it('Wilson intervals, pass@k, break reasons and the worst breaks', () => {
    const [stable, unstable] = data.variants;
    expect(stable?.pass_ci.lo).toBeCloseTo(0.436497, 5);
    // unstable: 3 of 5 scored samples passed (gamma #2 ended in error and has no score)
    expect(unstable?.pass_ci.hi).toBeCloseTo(0.882379, 5);
    expect(stable?.pass_at_k.map((p) => p.value)).toEqual([5 / 6, 1]);
    // per task: alpha 2/2, beta 0/2, gamma 1/1 (its errored epoch is no attempt)
    expect(unstable?.pass_at_k[0]?.value).toBeCloseTo(2 / 3, 12);
    expect(unstable?.pass_at_k[1]?.value).toBeCloseTo(0.5, 12);
    expect(unstable?.break_reasons).toEqual({ instructions_changed: 10 });
    expect(stable?.break_reasons).toEqual({});
    // Largest loss: alpha turn 3 throws away floor(1500/128)*128 = 1408 cached tokens.
    expect(data.worst_breaks[0]).toMatchObject({
      task_id: 'alpha',
      turn: 3,
      lost_tokens: 1408,
      reason: 'instructions_changed',
    });
    expect(data.worst_breaks.map((b) => b.lost_tokens)).toEqual([
      1408, 1408, 1280, 1280, 1152, 1152, 1152, 1152, 1152, 1152,
    ]);
  });
  it('drill-down keeps every turn with its compaction mark; the torn lines are counted', () => {
    const beta = data.drilldown.beta__stable__e1 ?? [];
    expect(beta.map((t) => t.turn)).toEqual([1, 2, 3, 4]);
    expect(beta[2]).toMatchObject({
      after_compaction: true,
      reason: 'compacted',
      compaction: { method: 'endpoint', tokens_before: 1800, tokens_after: 1300 },
    });
    expect(data.drilldown_partial).toBe(false);
    expect(data.skipped_lines).toEqual({ samples: 1, turns: 1, events: 0 });
  });
  it('a drill-down budget keeps a selection, broken samples first', async () => {
    const { data: small } = await writeReport(join(RUNS, 'fixture-base'), {
      outDir: out,
      maxDrilldownTurns: 4,
    });
    expect(small.drilldown_partial).toBe(true);
    const kept = Object.keys(small.drilldown);
    expect(kept.every((id) => id.includes('unstable'))).toBe(true);
    expect(Object.values(small.drilldown).reduce((a, t) => a + t.length, 0)).toBeLessThanOrEqual(4);
  });
});

describe('report.md', () => {
  it('has the variant table, pass@k, the notable differences and the worst breaks', () => {
    const md = readFileSync(files.markdown, 'utf8');
    expect(md).toContain('## turnbench report: `fixture-base`');
    expect(md).toContain(
      '| stable | 6 | 83.3% (44%–97%) | 0 | 18 | 25.6k | 12.3k | 48.0% | 0 | 900 | 2 | 0 | $0.0272 | 7.6s |',
    );
    expect(md).toContain(
      '| unstable | 6 | 60.0% (23%–88%) | 1 | 18 | 25.6k | 0 | 0.0% | 0 | 900 | 2 | 10 | $0.0410 | 7.6s |',
    );
    expect(md).toContain('| stable | 83.3% | 100.0% |');
    expect(md).toContain('| unstable | 66.7% | 50.0% |');
    expect(md).toContain('**unstable** cache hit rate 0.0% vs 48.0% for **stable** (-48.0pp).');
    expect(md).toContain('**unstable** costs $0.0410 vs $0.0272 (+50.9%).');
    expect(md).toContain('intervals overlap: not conclusive');
    expect(md).toContain('| unstable | `alpha__unstable__e1` | 3 | instructions_changed | 1408 |  |');
    expect(md).toContain('2 unreadable line(s) skipped');
  });
});

describe('CSV files', () => {
  it('samples.csv: one row per sample with the record numbers', () => {
    const rows = parse(readFileSync(files.samplesCsv, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([...SAMPLE_COLUMNS]);
    expect(rows).toHaveLength(12);
    const alpha = rows.find((r) => r.sample_id === 'alpha__stable__e1');
    expect(alpha).toMatchObject({
      passed: 'true',
      turns: '3',
      input_tokens: '4500',
      cached_tokens: '2560',
      compactions: '0',
      error: '',
    });
    expect(Number(alpha?.cache_hit_rate)).toBeCloseTo(2560 / 4500, 12);
    expect(Number(alpha?.cost_usd)).toBeCloseTo(0.004245, 12);
    const failed = rows.find((r) => r.sample_id === 'gamma__unstable__e2');
    expect(failed).toMatchObject({
      status: 'error',
      passed: '',
      error: 'provider: retries exhausted (HTTP 503)',
    });
  });
  it('turns.csv: one row per turn record (the torn line left out)', () => {
    const rows = parse(readFileSync(files.turnsCsv, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([...TURN_COLUMNS]);
    expect(rows).toHaveLength(36);
    const t = rows.find((r) => r.sample_id === 'beta__stable__e2' && r.turn === '4');
    expect(t).toMatchObject({
      input_tokens: '1600',
      cached_tokens: '1280',
      extends_previous: 'true',
      reason: '',
      after_compaction: 'false',
    });
    const c = rows.find((r) => r.sample_id === 'beta__stable__e2' && r.turn === '3');
    expect(c).toMatchObject({
      input_tokens: '1300',
      cached_tokens: '0',
      reason: 'compacted',
      diverged_at: '2',
      after_compaction: 'true',
    });
  });
});

describe('history', () => {
  it('lists the runs oldest first with totals and trends', async () => {
    const { runs, skipped } = await listRuns(RUNS);
    expect(skipped).toEqual([]);
    expect(runs.map((r) => r.run_id)).toEqual(['fixture-base', 'fixture-cand']);
    // base: 8 of the 11 scored samples passed (one ended in error: not measured, no failure, as in
    // the report); input 51,200 of which 12,288 cached.
    expect(runs[0]?.totals).toMatchObject({
      samples: 12,
      scored: 11,
      passed: 8,
      input_tokens: 51_200,
      cached_tokens: 12_288,
    });
    expect(runs[0]?.totals.cache_hit_rate).toBeCloseTo(0.24, 12);
    expect(runs[1]?.totals.cache_hit_rate).toBeCloseTo(0.195, 12);
    const text = formatHistory(runs);
    expect(text).toMatch(/fixture-base\s+2025-01-01 02:00\s+completed\s+12\s+72\.7%\s+24\.0%\s+\$0\.0682/);
    expect(text).toMatch(/hit rate\s+█▁ {2}24\.0% -> 19\.5%/);
  });
  it('sparkline maps min..max onto eight levels', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([2, 2])).toBe('▄▄');
  });
});
