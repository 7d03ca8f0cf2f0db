import { describe, expect, it } from 'vitest';
import {
  formatCompact,
  formatDuration,
  formatPercent,
  formatPp,
  formatRelative,
  formatUsd,
} from '../../../src/report/format.js';

describe('number formats', () => {
  it('money keeps precision for cheap runs and shows the sign first', () => {
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(12.345)).toBe('$12.35');
    expect(formatUsd(0.027176)).toBe('$0.0272');
    expect(formatUsd(0.00284999)).toBe('$0.00285');
    expect(formatUsd(-0.00285)).toBe('-$0.00285');
  });
  it('counts, rates, durations and deltas', () => {
    expect(formatCompact(999)).toBe('999');
    expect(formatCompact(9984)).toBe('9984');
    expect(formatCompact(12_288)).toBe('12.3k');
    expect(formatCompact(2_500_000)).toBe('2.50M');
    expect(formatPercent(0.48)).toBe('48.0%');
    expect(formatDuration(950)).toBe('950ms');
    expect(formatDuration(7636)).toBe('7.6s');
    expect(formatDuration(754_000)).toBe('12m34s');
    expect(formatDuration(3_723_000)).toBe('1h02m');
    expect(formatPp(-0.09)).toBe('-9.0pp');
    expect(formatPp(0.1667)).toBe('+16.7pp');
    expect(formatRelative(0.0954)).toBe('+9.5%');
    expect(formatRelative(Number.POSITIVE_INFINITY)).toBe('+inf%');
  });
});
