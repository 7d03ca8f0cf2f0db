import { describe, expect, it } from 'vitest';
import {
  bootstrapMean,
  meanPassAtK,
  pairedDifference,
  passAtK,
  t95,
  wilson,
} from '../../../src/report/stats.js';

describe('Wilson interval', () => {
  // Hand-computed: z = 1.959964, z² = 3.841459.
  it('5 of 6: center 0.703222, margin 0.266725', () => {
    const ci = wilson(5, 6);
    expect(ci.lo).toBeCloseTo(0.436497, 5);
    expect(ci.hi).toBeCloseTo(0.969947, 5);
  });
  it('3 of 6 is symmetric around 0.5', () => {
    const ci = wilson(3, 6);
    expect(ci.lo).toBeCloseTo(0.187616, 5);
    expect(ci.hi).toBeCloseTo(0.812384, 5);
  });
  it('0 of 10: [0, 0.277533]', () => {
    const ci = wilson(0, 10);
    expect(ci.lo).toBe(0);
    expect(ci.hi).toBeCloseTo(0.277533, 5);
  });
  it('no samples gives the whole range; bad counts throw', () => {
    expect(wilson(0, 0)).toEqual({ lo: 0, hi: 1 });
    expect(() => wilson(7, 6)).toThrow();
  });
});

describe('bootstrap mean interval', () => {
  it('is degenerate for constant data', () => {
    expect(bootstrapMean([3, 3, 3, 3])).toEqual({ mean: 3, lo: 3, hi: 3 });
  });
  it('for [0, 1] spans the resample means 0 .. 1 (P = 1/4 each end)', () => {
    const b = bootstrapMean([0, 1], { seed: 7 });
    expect(b).toEqual({ mean: 0.5, lo: 0, hi: 1 });
  });
  it('is reproducible with a seed and close to the normal interval for n = 100', () => {
    const values = Array.from({ length: 100 }, (_, i) => i);
    const a = bootstrapMean(values, { seed: 42 });
    expect(bootstrapMean(values, { seed: 42 })).toEqual(a);
    // mean 49.5, sd 29.011, se 2.9011: normal 95% interval 43.81 .. 55.19
    expect(a.lo).toBeGreaterThan(43);
    expect(a.lo).toBeLessThan(44.6);
    expect(a.hi).toBeGreaterThan(54.4);
    expect(a.hi).toBeLessThan(56);
  });
});

describe('pass@k', () => {
  it('uses the unbiased estimator 1 - C(n-c,k)/C(n,k)', () => {
    expect(passAtK(5, 2, 2)).toBeCloseTo(0.7, 12); // 1 - 3/10
    expect(passAtK(5, 2, 1)).toBeCloseTo(0.4, 12);
    expect(passAtK(4, 0, 2)).toBe(0);
    expect(passAtK(4, 3, 2)).toBe(1);
    expect(passAtK(1, 1, 2)).toBeNull();
  });
  it('averages over tasks that have at least k attempts', () => {
    const r = meanPassAtK(
      [
        { n: 2, c: 2 },
        { n: 2, c: 0 },
        { n: 2, c: 1 },
        { n: 1, c: 1 },
      ],
      2,
    );
    expect(r.tasks).toBe(3);
    expect(r.value).toBeCloseTo(2 / 3, 12);
  });
});

describe('paired difference', () => {
  it('diffs [0, -0.5, 0]: mean -1/6, t(2) interval ±4.303·(0.288675/√3)', () => {
    const d = pairedDifference([
      { baseline: 1, candidate: 1 },
      { baseline: 0.5, candidate: 0 },
      { baseline: 1, candidate: 1 },
    ]);
    expect(d.n).toBe(3);
    expect(d.mean_diff).toBeCloseTo(-1 / 6, 12);
    expect(d.ci?.lo).toBeCloseTo(-0.883833, 5);
    expect(d.ci?.hi).toBeCloseTo(0.5505, 5);
    expect(d.significant).toBe(false);
    expect(d.bootstrap?.lo).toBeGreaterThanOrEqual(-0.5);
    expect(d.bootstrap?.hi).toBeLessThanOrEqual(0);
  });
  it('a consistent drop is significant; fewer than 2 pairs has no interval', () => {
    const d = pairedDifference([0.1, 0.2, 0.15, 0.12].map((b) => ({ baseline: b + 0.3, candidate: b })));
    expect(d.mean_diff).toBeCloseTo(-0.3, 12);
    expect(d.significant).toBe(true);
    expect(pairedDifference([{ baseline: 1, candidate: 0 }]).ci).toBeNull();
  });
  it('t critical values: df 1, 10, 30, and the normal value beyond', () => {
    expect(t95(1)).toBe(12.706);
    expect(t95(10)).toBe(2.228);
    expect(t95(30)).toBe(2.042);
    expect(t95(100)).toBeCloseTo(1.96, 2);
  });
});
