import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compareRuns,
  formatCompareText,
  parseGates,
  renderCompareMarkdown,
} from '../../../src/report/index.js';

const RUNS = join(import.meta.dirname, '../../fixtures/runs');
const base = join(RUNS, 'fixture-base');
const cand = join(RUNS, 'fixture-cand');

describe('compareRuns', () => {
  it('gives per-metric deltas, paired intervals and flipped tasks', async () => {
    const r = await compareRuns(base, cand);
    expect(r.baseline.run_id).toBe('fixture-base');
    expect(r.candidate.run_id).toBe('fixture-cand');
    expect(r.unmatched).toEqual({ baseline: [], candidate: [] });
    const [stable, unstable] = r.variants;
    expect(stable?.variant).toBe('stable');
    expect(stable?.metrics.cache_hit_rate.baseline).toBeCloseTo(0.48, 12);
    expect(stable?.metrics.cache_hit_rate.candidate).toBeCloseTo(0.39, 12);
    expect(stable?.metrics.cached_tokens).toMatchObject({ baseline: 12_288, candidate: 9984, delta: -2304 });
    expect(stable?.metrics.pass_rate.delta).toBeCloseTo(-1 / 6, 12);
    // Per task pass rates: alpha 1 -> 1, beta 0.5 -> 0, gamma 1 -> 1: mean -1/6, t(2) interval.
    expect(stable?.paired.pass_rate.n).toBe(3);
    expect(stable?.paired.pass_rate.mean_diff).toBeCloseTo(-1 / 6, 12);
    expect(stable?.paired.pass_rate.ci?.lo).toBeCloseTo(-0.883833, 5);
    expect(stable?.paired.pass_rate.ci?.hi).toBeCloseTo(0.5505, 5);
    // Per task hit rates: only alpha changed, 2560/4500 -> 1408/4500.
    expect(stable?.tasks.find((t) => t.task_id === 'alpha')?.candidate.cache_hit_rate).toBeCloseTo(
      1408 / 4500,
      12,
    );
    expect(stable?.paired.cache_hit_rate.mean_diff).toBeCloseTo((1408 - 2560) / 4500 / 3, 12);
    expect(stable?.flips).toEqual([{ task_id: 'beta', epoch: 1, from: 'pass', to: 'fail' }]);
    // The errored gamma #2 of the baseline passed in the candidate: an error has no outcome to flip from.
    expect(unstable?.flips).toEqual([]);
    expect(unstable?.metrics.errors).toMatchObject({ baseline: 1, candidate: 0, delta: -1 });
  });

  it('renders text and Markdown with the same numbers', async () => {
    const r = await compareRuns(base, cand, parseGates('cache_hit_rate<-2pp'));
    const text = formatCompareText(r);
    expect(text).toMatch(/cache_hit_rate\s+48\.0%\s+39\.0%\s+-9\.0pp/);
    expect(text).toMatch(/pass_rate\s+83\.3%\s+66\.7%\s+-16\.7pp\s+-88\.4pp to \+55\.1pp per task/);
    expect(text).toMatch(/cost_usd\s+\$0\.0272\s+\$0\.0298\s+\+9\.5%/);
    expect(text).toContain('flipped: beta#1 pass->fail');
    expect(text).toContain('gates: FAILED');
    expect(text).toMatch(/FAIL {2}cache_hit_rate<-2pp {2}\[stable\] {2}change -9\.00pp/);
    const md = renderCompareMarkdown(r);
    expect(md).toContain('## turnbench compare: `fixture-base` → `fixture-cand`');
    expect(md).toContain('**Gate: FAILED**');
    expect(md).toContain('| cache_hit_rate | 48.0% | 39.0% | -9.0pp |');
    expect(md).toContain('| `cache_hit_rate<-2pp` | stable | 0.48 | 0.39 | FAIL |');
    // alpha per epoch: (1940 x 1.25 + 2560 x 0.125 + 150 x 10) / 1e6 = 0.004245 -> (3092 x 1.25 + 1408 x 0.125 + 1500) / 1e6 = 0.005541
    expect(md).toContain('| alpha | 100% → 100% | 56.9% → 31.3% | $0.00849 → $0.0111 |');
  });
});
