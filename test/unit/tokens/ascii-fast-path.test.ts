import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';
import { describe, expect, it } from 'vitest';
import { encodeAscii, PieceTable, pieceEnd } from '../../../src/tokens/ascii-fast-path.js';
import { encodeBounded, PIECE_CHARS } from '../../../src/tokens/index.js';

const PLAIN = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };
const library = (text: string) => encode(text, PLAIN);
const SPLIT = new RegExp(O200K_TOKEN_SPLIT_REGEX.source, 'gu');

/** Every ASCII class the o200k split tells apart: cases, contractions, digits, each kind of space, punctuation, controls. */
const ASCII =
  'aAbBzZsStTlLvVeErRdDmM0123456789 \t\n\r\v\f\'"/\\.,;:_-+=()[]{}<>!?#$%&*@^`|~\x00\x01\x1c\x1f\x7f';

function randomText(seed: number, length: number, alphabet: string): string {
  let state = seed >>> 0;
  let out = '';
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out += alphabet[state % alphabet.length];
  }
  return out;
}

function piecesOf(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const end = pieceEnd(text, i);
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}

describe('the ASCII fast path of o200k tokenisation', () => {
  it('splits ASCII text exactly as the o200k regex does', () => {
    for (let seed = 1; seed <= 4000; seed++) {
      const text = randomText(seed, 1 + (seed % 40), ASCII);
      expect(piecesOf(text), JSON.stringify(text)).toEqual(text.match(SPLIT));
    }
    const samples = [
      "I'LL say it's DON'T we've THEY'RE 'd 's x'S",
      '  leading\n\n  \nindent\t\ttabs  \r\n trailing   ',
      'path/to/file.ts:12:5 => ./a//b/\n/\r\n',
      'camelCaseWord HTMLParser getURLFor ABC def GHi',
      'n=12345678 0x1f 3.14159 1,000,000',
      ' .hidden _private -flag --long=value',
    ];
    for (const text of samples) expect(piecesOf(text)).toEqual(text.match(SPLIT));
  });

  it('gives the library tokens for ASCII text, every time (pieces remembered or not)', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const text = randomText(seed * 31, 1 + (seed % 60), ASCII);
      expect(encodeBounded(text), JSON.stringify(text)).toEqual(library(text));
      expect(encodeBounded(text)).toEqual(library(text));
    }
    const code = Array.from(
      { length: 200 },
      (_, i) => `  const value${i} = await fetch("https://x/${i}")?.json(); // it's #${i}`,
    ).join('\n');
    expect(encodeBounded(code)).toEqual(library(code));
  });

  it('leaves non-ASCII text and long pieces to the library: same tokens as before', () => {
    const table = new PieceTable(library);
    for (const text of ['naïve café', 'a — b', '中文 text', 'emoji 😀 here', 'nbsp\u00a0space']) {
      expect(encodeAscii(text, table, PIECE_CHARS)).toBeNull();
      expect(encodeBounded(text)).toEqual(library(text));
    }
    const longRun = `start ${'x'.repeat(PIECE_CHARS + 1)} end`;
    expect(encodeAscii(longRun, table, PIECE_CHARS)).toBeNull();
    for (let seed = 1; seed <= 1500; seed++) {
      const text = randomText(seed * 7, 1 + (seed % 50), `${ASCII}éÉ中😀\u00a0\u2028ǅ`);
      expect(encodeBounded(text), JSON.stringify(text)).toEqual(library(text));
    }
  });

  it('stays exact when its table fills and starts over', () => {
    const table = new PieceTable(library);
    // far more distinct pieces than the table holds
    for (let i = 0; i < 40_000; i++) {
      const text = ` w${i.toString(36)}x z${i}`;
      const out = encodeAscii(text, table, PIECE_CHARS);
      expect(out).not.toBeNull();
      if (i % 997 === 0) expect(Array.from(out ?? [])).toEqual(library(text));
    }
    expect(Array.from(encodeAscii(' w0x z0 hello', table, PIECE_CHARS) ?? [])).toEqual(
      library(' w0x z0 hello'),
    );
  });
});
