import { createRequire } from 'node:module';
import { encodeAscii, PieceTable } from './ascii-fast-path.js';

type O200kLibrary = typeof import('gpt-tokenizer/encoding/o200k_base');
type SplitPatterns = typeof import('gpt-tokenizer/encodingParams/constants');

const require = createRequire(import.meta.url);
let library: O200kLibrary | null = null;

/**
 * gpt-tokenizer's o200k tables cost ~0.2 s of CPU and ~60 MB to load, and most harness runs never
 * count a token (telemetry counts only when a figure needs it): loaded on first use, synchronously,
 * from the library's CommonJS build. The sim and the telemetry share this one copy.
 */
function o200k(): O200kLibrary {
  library ??= require('gpt-tokenizer/encoding/o200k_base') as O200kLibrary;
  return library;
}

/**
 * o200k tokenisation with bounded work. gpt-tokenizer merges each pre-tokenised piece (a run of
 * letters, of punctuation, of whitespace) with an O(n²) loop, so one long run without
 * whitespace (a minified file, base-less garbage, 1 MB of "aaaa") blocked the event loop for
 * minutes. Two bounds:
 *
 * - A piece longer than PIECE_CHARS is merged in slices of PIECE_CHARS characters. Real tokens
 *   are at most 128 characters, so this only differs from the exact count where a merge would
 *   have crossed a slice edge: measured +0% (repeated or space runs) to +0.8% (random words
 *   glued together) on 16 KB runs. Text with no such piece is tokenised exactly.
 * - Text longer than EXACT_CHARS: the first HEAD_CHARS are tokenised as above; the rest is
 *   estimated from SAMPLE_WINDOWS windows spread evenly over it (edges moved to whitespace), and
 *   stands in as pseudo-tokens (one per equal slice of the rest, each the hash of its
 *   characters) so a change anywhere in the text still changes the tokens. Measured against the
 *   exact count: within ±1% on 0.4-1.5 MB of logs, of all of src/, of prose, base64 and CJK
 *   mixed; up to 3% on text made of a few long blocks of different kinds repeated (the windows
 *   then fall unevenly on the kinds). It is a sample: no bound holds for every text.
 *
 * So the work per call is at most EXACT_CHARS characters of byte-pair merging plus a linear hash:
 * 0.1-0.5 s for a megabyte of the slowest kinds of text (random letters, a CJK run) on a loaded
 * 2-core machine, against many minutes unbounded (`npm run bench tokens`).
 */
export const PIECE_CHARS = 256;
export const EXACT_CHARS = 65_536;
export const HEAD_CHARS = 16_384;
export const SAMPLE_WINDOWS = 96;
const WINDOW_CHARS = (EXACT_CHARS - HEAD_CHARS) / SAMPLE_WINDOWS;

const PLAIN = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };

/**
 * A piece over PIECE_CHARS characters holds a run of at least (PIECE_CHARS - 1) / 2 characters
 * that are all non-space non-digits, all whitespace, or all of `\r\n/` (see the o200k split
 * pattern). Text without such a run goes to the tokenizer as it is.
 */
export const LONG_RUN = /[^\s\p{N}]{127}|\s{127}|[\r\n/]{127}/u;
const LONG_RUN_CHARS = 127;
const SPACE_CHAR = /^\s$/u;
const DIGIT_CHAR = /^\p{N}$/u;

/**
 * `LONG_RUN.test(text)` in one pass. The regex tries a 127-character match at every position,
 * which made it a seventh of an ingest's time; this counts the three kinds of run as it goes.
 * Characters are code points, as in the regex's `u` mode (a surrogate pair is one character).
 */
export function hasLongRun(text: string): boolean {
  let other = 0;
  let space = 0;
  let newlineOrSlash = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let isSpace: boolean;
    let isDigit: boolean;
    let isNewlineOrSlash = false;
    if (code < 128) {
      isSpace = code === 32 || (code >= 9 && code <= 13);
      isDigit = code >= 48 && code <= 57;
      isNewlineOrSlash = code === 10 || code === 13 || code === 47;
    } else {
      const point = text.codePointAt(i) ?? code;
      if (point > 0xffff) i++;
      const char = String.fromCodePoint(point);
      isSpace = SPACE_CHAR.test(char);
      isDigit = !isSpace && DIGIT_CHAR.test(char);
    }
    other = isSpace || isDigit ? 0 : other + 1;
    space = isSpace ? space + 1 : 0;
    newlineOrSlash = isNewlineOrSlash ? newlineOrSlash + 1 : 0;
    if (other >= LONG_RUN_CHARS || space >= LONG_RUN_CHARS || newlineOrSlash >= LONG_RUN_CHARS) return true;
  }
  return false;
}

let splitPattern: RegExp | null = null;

/**
 * The o200k split pattern, built on first use: importing the library's constants compiles three
 * large Unicode patterns (~2.5 ms of every run's start), and only text with a long run needs it.
 */
function o200kSplit(): RegExp {
  splitPattern ??= new RegExp(
    (require('gpt-tokenizer/encodingParams/constants') as SplitPatterns).O200K_TOKEN_SPLIT_REGEX.source,
    'gu',
  );
  return splitPattern;
}

/** End of a slice starting at `from`, at most `max` UTF-16 units on, never inside a surrogate pair. */
function sliceEnd(text: string, from: number, max: number): number {
  let end = Math.min(text.length, from + max);
  if (end < text.length && end > from + 1) {
    const code = text.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  }
  return end;
}

/** Calls `visit` with consecutive parts of `text` whose pieces are all at most PIECE_CHARS long. */
function boundedParts(text: string, visit: (part: string) => void): void {
  if (!hasLongRun(text)) {
    if (text !== '') visit(text);
    return;
  }
  let start = 0;
  for (const match of text.matchAll(o200kSplit())) {
    const piece = match[0];
    if (piece.length <= PIECE_CHARS) continue;
    if (match.index > start) visit(text.slice(start, match.index));
    for (let i = 0; i < piece.length; ) {
      const end = sliceEnd(piece, i, PIECE_CHARS);
      visit(piece.slice(i, end));
      i = end;
    }
    start = match.index + piece.length;
  }
  if (start < text.length) visit(text.slice(start));
}

/**
 * gpt-tokenizer memoises the merges of up to 100k pieces, keyed by the piece as V8 cut it out of
 * the text: a sliced string, which keeps the whole text it came from alive. Ingesting a log whose
 * items hold many distinct long words (base64, hashes) then kept every such item's text, so memory
 * grew with the log. The memo is emptied each time this many characters have been tokenised since,
 * which bounds the texts it can hold to about that much (2 bytes a character at most).
 */
const MERGE_CACHE_CHARS = 4_000_000;
let charsSinceClear = 0;

function tokenised(part: string): string {
  charsSinceClear += part.length;
  if (charsSinceClear > MERGE_CACHE_CHARS) {
    o200k().clearMergeCache();
    charsSinceClear = part.length;
  }
  return part;
}

/** Pieces of ASCII text seen lately, with the library's tokens for them (see ascii-fast-path.ts). */
let pieces: PieceTable | null = null;

/** The tokens of ASCII text without a piece over PIECE_CHARS, else null (see ascii-fast-path.ts). */
function asciiTokens(text: string): Uint32Array | null {
  pieces ??= new PieceTable((piece) => o200k().encode(piece, PLAIN));
  return encodeAscii(tokenised(text), pieces, PIECE_CHARS);
}

/** Tokens of text up to EXACT_CHARS, appended to `out`. */
function exactTokensInto(text: string, out: number[]): void {
  boundedParts(text, (part) => {
    const fast = asciiTokens(part);
    if (fast) for (const token of fast) out.push(token);
    else for (const token of o200k().encode(part, PLAIN)) out.push(token);
  });
}

function exactTokens(text: string): number[] {
  // ASCII text without a piece over PIECE_CHARS: boundedParts would visit it whole, as one part.
  const fast = asciiTokens(text);
  if (fast) return Array.from(fast);
  const out: number[] = [];
  exactTokensInto(text, out);
  return out;
}

function exactCount(text: string): number {
  const fast = asciiTokens(text);
  if (fast) return fast.length;
  let n = 0;
  boundedParts(text, (part) => {
    n += asciiTokens(part)?.length ?? o200k().countTokens(part, PLAIN);
  });
  return n;
}

/** How far a sample window's edges move to the nearest whitespace, so it holds whole words. */
const ALIGN_CHARS = 64;
const SPACE = /\s/;

/** Estimated tokens of `rest` (longer than the windows together): windows spread evenly, scaled. */
function estimateCount(rest: string): number {
  const stride = rest.length / SAMPLE_WINDOWS;
  const slack = Math.max(0, stride - WINDOW_CHARS);
  // Each window sits at a pseudo-random place in its stretch (seeded by the length, so a text
  // always gets the same count): evenly spaced windows fell in step with repeated blocks.
  let seed = rest.length >>> 0;
  let sampledChars = 0;
  let sampledTokens = 0;
  for (let w = 0; w < SAMPLE_WINDOWS; w++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    let from = Math.floor(w * stride + (seed / 2 ** 32) * slack);
    let end = sliceEnd(rest, from, WINDOW_CHARS);
    for (let i = from; i < from + ALIGN_CHARS && i < end; i++) {
      if (SPACE.test(rest.charAt(i))) {
        from = i;
        break;
      }
    }
    for (let i = end; i > end - ALIGN_CHARS && i > from && i < rest.length; i--) {
      if (SPACE.test(rest.charAt(i))) {
        end = i;
        break;
      }
    }
    sampledTokens += exactCount(rest.slice(from, end));
    sampledChars += end - from;
  }
  return Math.max(1, Math.round((sampledTokens * rest.length) / sampledChars));
}

interface Split {
  head: string;
  rest: string;
}

function split(text: string): Split | null {
  if (text.length <= EXACT_CHARS) return null;
  const cut = sliceEnd(text, 0, HEAD_CHARS);
  return { head: text.slice(0, cut), rest: text.slice(cut) };
}

/** Pseudo-token ids above the o200k vocabulary (200k), from the characters of each slice. */
function pseudoTokens(rest: string, count: number, out: number[]): void {
  const span = rest.length / count;
  for (let t = 0; t < count; t++) {
    const from = Math.floor(t * span);
    const to = Math.floor((t + 1) * span);
    let h = 0x811c9dc5;
    for (let i = from; i < to; i++) h = Math.imul(h ^ rest.charCodeAt(i), 0x01000193);
    out.push(0x40000000 + ((h >>> 0) & 0x3fffffff));
  }
}

/** `encodeBounded(text)` as a Uint32Array, without the intermediate array where it can. */
export function encodeBoundedU32(text: string): Uint32Array {
  if (text.length <= EXACT_CHARS) {
    const fast = asciiTokens(text);
    if (fast) return fast;
  }
  return Uint32Array.from(encodeBounded(text));
}

/** Token ids of `text` (near-exact up to EXACT_CHARS; see the module comment past it). */
export function encodeBounded(text: string): number[] {
  const parts = split(text);
  if (!parts) return exactTokens(text);
  const out = exactTokens(parts.head);
  pseudoTokens(parts.rest, estimateCount(parts.rest), out);
  return out;
}

/** The token count; always equal to `encodeBounded(text).length`. */
export function countBounded(text: string): number {
  const parts = split(text);
  if (!parts) return exactCount(text);
  return exactCount(parts.head) + estimateCount(parts.rest);
}

/** The start of `text` holding at most `tokens` tokens (the rest cut off). */
export function truncateBounded(text: string, tokens: number): string {
  if (tokens <= 0) return '';
  const parts = split(text);
  const head = exactTokens(parts ? parts.head : text);
  if (tokens < head.length) return o200k().decode(head.slice(0, tokens));
  if (!parts) return text;
  const restTokens = estimateCount(parts.rest);
  const left = tokens - head.length;
  if (left >= restTokens) return text;
  return (
    parts.head +
    parts.rest.slice(0, sliceEnd(parts.rest, 0, Math.floor((left * parts.rest.length) / restTokens)))
  );
}
