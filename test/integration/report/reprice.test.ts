import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPricing, type Pricing, priceFor } from '../../../src/config/index.js';
import { readSamples, repriceRun } from '../../../src/report/index.js';
import { assertBuilt, runCli } from '../cli/helpers.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/runs');

/** The shipped sim-1 price with every rate doubled, as a user's pricing file would give it. */
async function doubledSim1(dir: string): Promise<{ file: string; pricing: Pricing }> {
  const shipped = await loadPricing();
  const p = priceFor(shipped, 'sim-1');
  if (!p) throw new Error('pricing.yaml has no sim-1');
  if (p.long_context) throw new Error('sim-1 has a long-context tier: double it too');
  const doubled = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Number(v) * 2]));
  const file = join(dir, 'prices.yaml');
  writeFileSync(file, `models:\n  sim-1: ${JSON.stringify(doubled)}\n`);
  return { file, pricing: await loadPricing(file) };
}

describe('report --pricing: every cost recomputed from the recorded usage', () => {
  const results = mkdtempSync(join(tmpdir(), 'tb-reprice-'));
  beforeAll(() => {
    assertBuilt();
    cpSync(FIXTURES, results, { recursive: true, filter: (src) => !src.endsWith('.ts') });
  });

  it('with the prices the run used, the recomputed costs are the recorded ones', async () => {
    const runDir = join(results, 'fixture-base');
    const recorded = (await readSamples(runDir)).samples;
    const repriced = (await readSamples(runDir, await repriceRun(runDir, await loadPricing()))).samples;
    expect(repriced.size).toBe(recorded.size);
    for (const [id, s] of recorded)
      expect(repriced.get(id)?.cost_usd ?? 0, id).toBeCloseTo(s.cost_usd ?? 0, 12);
  });

  it('with doubled prices, every sample and turn costs twice as much, in the table, the CSVs and the JSON', async () => {
    const runDir = join(results, 'fixture-base');
    const before = await runCli(['report', 'fixture-base', '--results-dir', results, '--json']);
    expect(before.code, before.stderr).toBe(0);
    const turnsBefore = parseCsv(readFileSync(join(runDir, 'turns.csv')), { columns: true }) as Record<
      string,
      string
    >[];
    const { file } = await doubledSim1(results);
    const after = await runCli([
      'report',
      'fixture-base',
      '--results-dir',
      results,
      '--pricing',
      file,
      '--json',
    ]);
    expect(after.code, after.stderr).toBe(0);

    type Summary = { summary: { variants: { variant: string; cost_usd: number }[] } };
    const costs = (out: string) => (JSON.parse(out) as Summary).summary.variants.map((v) => v.cost_usd);
    const b = costs(before.stdout);
    expect(b.some((c) => c > 0)).toBe(true);
    for (const [i, c] of costs(after.stdout).entries()) expect(c).toBeCloseTo((b[i] ?? 0) * 2, 10);

    const turnsAfter = parseCsv(readFileSync(join(runDir, 'turns.csv')), { columns: true }) as Record<
      string,
      string
    >[];
    expect(turnsAfter).toHaveLength(turnsBefore.length);
    for (const [i, t] of turnsAfter.entries())
      expect(Number(t.cost_usd)).toBeCloseTo(Number(turnsBefore[i]?.cost_usd) * 2, 12);
    const samplesCsv = parseCsv(readFileSync(join(runDir, 'samples.csv')), { columns: true }) as Record<
      string,
      string
    >[];
    const recorded = (await readSamples(runDir)).samples;
    for (const row of samplesCsv) {
      const id = row.sample_id ?? '';
      expect(Number(row.cost_usd), id).toBeCloseTo((recorded.get(id)?.cost_usd ?? 0) * 2, 12);
    }
  });

  it('a broken pricing file is one line naming the file and field, exit 2', async () => {
    const file = join(results, 'broken.yaml');
    writeFileSync(file, 'models:\n  sim-1: { input: -1, cached_input: 0, output: 1 }\n');
    const out = await runCli(['report', 'fixture-base', '--results-dir', results, '--pricing', file]);
    expect(out.code).toBe(2);
    expect(out.stderr.trim()).toMatch(/^error: --pricing: .*broken\.yaml: field models\.sim-1\.input: /);
  });
});
