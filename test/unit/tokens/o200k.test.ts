import { decode, encode } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import {
  countBounded,
  EXACT_CHARS,
  encodeBounded,
  PIECE_CHARS,
  truncateBounded,
} from '../../../src/tokens/index.js';

const PLAIN = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };
const exact = (text: string) => encode(text, PLAIN);

function letters(n: number, seed = 1, alphabet = 'abcdefghijklmnopqrstuvwxyz'): string {
  let state = seed >>> 0;
  let out = '';
  for (let i = 0; i < n; i++) {
    state = (state * 1664525 + 1013904223) >>> 0;
    out += alphabet[state % alphabet.length];
  }
  return out;
}

const WORDS = ['the', 'sample', 'runs', 'in', 'a', 'sandbox,', 'and', 'its', 'turns', 'are', 'recorded.'];

function words(n: number, seed: number): string {
  let state = seed >>> 0;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    state = (state * 1664525 + 1013904223) >>> 0;
    out.push(WORDS[state % WORDS.length]!);
  }
  return out.join(' ');
}

/** Ordinary text for the exact path: prose-like words and code-like lines. */
const prose = `${words(4000, 1)}\n${Array.from({ length: 400 }, (_, i) => `  const x${i} = items[${i}]?.value ?? 0; // step ${i}`).join('\n')}`;
/** Long blocks of different kinds (prose, code, base64, CJK), about 60 KB. */
const blocks = [
  words(3000, 2),
  Array.from({ length: 300 }, (_, i) => `if (n${i} > ${i * 3}) { total += n${i} * ${i}; }`).join('\n'),
  Buffer.from(letters(9000, 3)).toString('base64'),
  letters(5000, 4, '的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年，'),
].join('\n');

describe('bounded o200k tokenisation', () => {
  it('is exact on ordinary text (no piece over the slice size)', () => {
    const sample = prose.slice(0, 40_000);
    expect(encodeBounded(sample)).toEqual(exact(sample));
    expect(countBounded(sample)).toBe(exact(sample).length);
    expect(countBounded('')).toBe(0);
    expect(countBounded('mentions <|endoftext|> as text')).toBe(
      exact('mentions <|endoftext|> as text').length,
    );
  });

  it('stays within 1% of the exact count on long runs without whitespace', () => {
    const runs = [
      letters(12_000),
      'a'.repeat(12_000),
      ' '.repeat(12_000),
      letters(12_000, 5, '!@#$%^&*()-=+[]{};:,.<>?'),
      letters(6_000, 9, '漢字の日本語中文한국어'),
    ];
    for (const run of runs) {
      const want = exact(run).length;
      const got = countBounded(run);
      expect(Math.abs(got - want) / want).toBeLessThan(0.01);
      expect(encodeBounded(run)).toHaveLength(got);
    }
  });

  it('slices long pieces: the tokens of a run decode back to the run', () => {
    const run = letters(5 * PIECE_CHARS + 17, 3);
    expect(decode(encodeBounded(run))).toBe(run);
  });

  it('estimates text past the exact size: within 1% on even text, 4% on blocks of different kinds', () => {
    const logs = Array.from(
      { length: 6000 },
      (_, i) =>
        `2026-05-0${(i % 9) + 1}T12:00:${String(i % 60).padStart(2, '0')}Z INFO worker-${i % 17} job ${(i * 7919) % 100000} ok`,
    ).join('\n');
    expect(logs.length).toBeGreaterThan(4 * EXACT_CHARS);
    expect(Math.abs(countBounded(logs) - exact(logs).length) / exact(logs).length).toBeLessThan(0.01);
    for (const copies of [3, 4, 5, 6, 8, 12]) {
      const text = blocks.repeat(copies);
      const want = exact(text).length;
      expect(Math.abs(countBounded(text) - want) / want).toBeLessThan(0.04);
    }
    const big = blocks.repeat(6);
    const tokens = encodeBounded(big);
    expect(tokens).toHaveLength(countBounded(big));
    // one character changed near the end changes the tokens there, not before
    const at = big.length - 1000;
    const edited = `${big.slice(0, at)}#${big.slice(at + 1)}`;
    const other = encodeBounded(edited);
    expect(other).not.toEqual(tokens);
    expect(other.slice(0, tokens.length / 2)).toEqual(tokens.slice(0, tokens.length / 2));
  });

  it('counts a megabyte without whitespace and gives the same figure every time', () => {
    const run = letters(1 << 20, 11);
    const n = countBounded(run);
    // random lowercase letters are about 1.9 characters per token
    expect(n).toBeGreaterThan((1 << 20) / 2.5);
    expect(n).toBeLessThan((1 << 20) / 1.5);
    expect(countBounded(run)).toBe(n);
    expect(encodeBounded(run)).toHaveLength(n);
  });

  it('truncates to a token budget, exactly inside the exact part and by share past it', () => {
    const text = prose.slice(0, 20_000);
    const cut = truncateBounded(text, 100);
    expect(cut).toBe(decode(exact(text).slice(0, 100)));
    expect(truncateBounded(text, 1_000_000)).toBe(text);
    expect(truncateBounded(text, 0)).toBe('');
    const big = letters(1 << 20, 13);
    const half = truncateBounded(big, Math.floor(countBounded(big) / 2));
    expect(big.startsWith(half)).toBe(true);
    expect(half.length / big.length).toBeGreaterThan(0.45);
    expect(half.length / big.length).toBeLessThan(0.55);
  });
});
