import { describe, expect, it } from 'vitest';
import { hasLongRun, LONG_RUN } from '../../../src/tokens/o200k.js';

/** Characters of every class the regex tells apart, ASCII and not, astral and lone surrogates. */
const PARTS = [
  'a',
  'Z',
  '-',
  '{',
  '"',
  '/',
  '\n',
  '\r',
  ' ',
  '\t',
  '\v',
  '7',
  '0',
  '\u00a0',
  '\u3000',
  '\u2028',
  '\ufeff', // spaces outside ASCII
  '\u0663',
  '\u00bd',
  '\u2167', // digits and numbers outside ASCII (\p{N})
  'é',
  '中',
  '😀',
  '\u{1d7ce}', // an emoji, an astral digit
  '\ud800',
  '\udc00', // lone surrogates
];

function randomText(seed: number): string {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
  let out = '';
  const pieces = 1 + (next() % 12);
  for (let p = 0; p < pieces; p++) {
    // runs of one part around the 127 limit, and mixed stretches
    const part = PARTS[next() % PARTS.length]!;
    const length = 120 + (next() % 12);
    if (next() % 3 === 0) out += part.repeat(length);
    else for (let i = 0; i < length; i++) out += next() % 4 === 0 ? PARTS[next() % PARTS.length]! : part;
  }
  return out;
}

describe('hasLongRun', () => {
  it('agrees with the LONG_RUN regex on texts of every character class, runs of 120 to 131', () => {
    let longRuns = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const text = randomText(seed);
      const expected = LONG_RUN.test(text);
      if (expected) longRuns++;
      expect(hasLongRun(text), `seed ${seed}`).toBe(expected);
    }
    // both answers occur, so the comparison means something
    expect(longRuns).toBeGreaterThan(300);
    expect(longRuns).toBeLessThan(2700);
  });

  it('counts at exactly 127 of a kind', () => {
    for (const char of ['x', ' ', '/', '\n', '中', '😀']) {
      expect(hasLongRun(char.repeat(126))).toBe(false);
      expect(hasLongRun(`1${char.repeat(127)}1`)).toBe(true);
    }
    // newlines and slashes mixed are one run of [\r\n/]
    expect(hasLongRun('/\n'.repeat(64))).toBe(true);
    expect(hasLongRun('ab1'.repeat(200))).toBe(false);
  });
});
