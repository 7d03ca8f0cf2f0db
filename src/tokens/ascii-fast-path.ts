/**
 * o200k tokens of ASCII text without gpt-tokenizer's per-piece overhead.
 *
 * gpt-tokenizer splits text with the o200k pre-tokenising regex (Unicode property classes) and
 * looks every piece up in a 200k-entry Map of fresh strings: a cold 40 KB request spent ~85% of
 * the sim's CPU there (issue 13). For ASCII text this module does the same split with a
 * character-class scan and looks pieces up in a small table of the pieces seen lately, keyed by
 * their characters in place (no substring, no string hash). A piece not in the table is encoded
 * by the library once and remembered, so the tokens are the library's own.
 *
 * The scan follows gpt-tokenizer's O200K_TOKEN_SPLIT_PATTERN alternative by alternative, as the
 * regex engine tries them (first alternative that matches at a position, greedy, backtracking
 * only where it changes the result). In ASCII: letters are A-Z / a-z (no Lt, Lm, Lo or M), digits
 * 0-9, whitespace is \t \n \v \f \r and space (JavaScript's \s), everything else is "other".
 * The unit tests compare it with the library on generated and real text.
 */

const LOWER = 1;
const UPPER = 2;
const DIGIT = 3;
/** \r and \n: whitespace that ends `\s*[\r\n]+` and may not start a word. */
const NEWLINE = 4;
/** \t \v \f and space. */
const BLANK = 5;
const OTHER = 6;

/** Any character above 127: the fast path gives up on the text. */
const NON_ASCII = 7;

/** Class of every UTF-16 unit: one lookup, no branch for the non-ASCII ones. */
const CLASS = new Uint8Array(65_536).fill(NON_ASCII);
for (let c = 0; c < 128; c++) {
  if (c >= 97 && c <= 122) CLASS[c] = LOWER;
  else if (c >= 65 && c <= 90) CLASS[c] = UPPER;
  else if (c >= 48 && c <= 57) CLASS[c] = DIGIT;
  else if (c === 10 || c === 13) CLASS[c] = NEWLINE;
  else if (c === 9 || c === 11 || c === 12 || c === 32) CLASS[c] = BLANK;
  else CLASS[c] = OTHER;
}

/** Class of the character at `i` (0 past the end). */
function classAt(text: string, i: number): number {
  return i < text.length ? (CLASS[text.charCodeAt(i)] as number) : 0;
}

/** End of `(?:'(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE]))?` at `i`. */
function contractionEnd(text: string, i: number): number {
  if (text.charCodeAt(i) !== 39) return i;
  const a = text.charCodeAt(i + 1) | 0x20;
  if (a === 115 || a === 100 || a === 109 || a === 116) return i + 2; // s d m t
  const b = text.charCodeAt(i + 2) | 0x20;
  if ((a === 108 && b === 108) || ((a === 118 || a === 114) && b === 101)) return i + 3; // ll ve re
  return i;
}

/**
 * End of the o200k piece starting at `i` (`i` inside the text), or -1 when the character at `i`
 * is not ASCII. A piece just before a non-ASCII character may come out shorter than the regex's
 * (which would take a letter such as é into the word): callers drop the whole text on the -1.
 */
export function pieceEnd(text: string, i: number): number {
  const c = classAt(text, i);
  if (c === LOWER) {
    // the commonest piece, alternative 1 without prefix: [lower]+ contraction?
    let j = i + 1;
    while (classAt(text, j) === LOWER) j++;
    return contractionEnd(text, j);
  }
  if (c === DIGIT) {
    let j = i + 1;
    if (classAt(text, j) === DIGIT) j++;
    if (classAt(text, j) === DIGIT) j++;
    return j;
  }
  if (c === NON_ASCII) return -1;
  // Alternatives 1 and 2: an optional prefix (not \r\n, letter or digit), then a word.
  const word = c === UPPER ? i : c === BLANK || c === OTHER ? i + 1 : -1;
  if (word !== -1) {
    let j = word;
    while (classAt(text, j) === UPPER) j++;
    if (classAt(text, j) === LOWER) {
      // [upper]*[lower]+ contraction?
      while (classAt(text, j) === LOWER) j++;
      return contractionEnd(text, j);
    }
    // [upper]+[lower]* contraction? (no lower follows here, or the first branch had matched)
    if (j > word) return contractionEnd(text, j);
  }
  // ` ?[^\s\p{L}\p{N}]+[\r\n/]*`
  const punct = c === OTHER ? i : text.charCodeAt(i) === 32 && classAt(text, i + 1) === OTHER ? i + 1 : -1;
  if (punct !== -1) {
    let j = punct;
    while (classAt(text, j) === OTHER) j++;
    let code = text.charCodeAt(j);
    while (code === 10 || code === 13 || code === 47) code = text.charCodeAt(++j);
    return j;
  }
  // Whitespace: `\s*[\r\n]+`, then `\s+(?!\S)`, then `\s+`.
  let end = i;
  let lastNewline = -1;
  for (let k = classAt(text, end); k === NEWLINE || k === BLANK; k = classAt(text, ++end)) {
    if (k === NEWLINE) lastNewline = end;
  }
  if (lastNewline !== -1) return lastNewline + 1;
  if (end === text.length || end - 1 === i) return end;
  return end - 1;
}

/**
 * Pieces of 1-3 ASCII characters have a slot of their own, indexed by the characters: 7 bits
 * each, offset by length (2.1M slots, 8 MB, touched only where pieces occur).
 */
const SHORT_CHARS = 3;
const SHORT_KEYS = 128 + 128 * 128 + 128 * 128 * 128;

function shortKey(text: string, start: number, length: number): number {
  const a = text.charCodeAt(start);
  if (length === 1) return a;
  const b = text.charCodeAt(start + 1);
  if (length === 2) return 128 + ((a << 7) | b);
  return 128 + 128 * 128 + ((a << 14) | (b << 7) | text.charCodeAt(start + 2));
}

const SLOTS = 1 << 15;
/** The table is emptied when it holds this many pieces (half full keeps probes short). */
const MAX_PIECES = SLOTS >> 1;
const MAX_CHARS = 1 << 20;
const MAX_TOKENS = 1 << 18;

/**
 * Tokens of recently seen pieces, keyed by their characters: open addressing over a fixed number
 * of slots, characters and tokens in flat typed arrays, so a hit allocates nothing and keeps no
 * string of the text it came from alive. Emptied whole when full (bounded memory, ~4 MB).
 */
export class PieceTable {
  private readonly hashes = new Int32Array(SLOTS);
  /** 1 + index of the piece in the arrays below; 0 is an empty slot. */
  private readonly slots = new Int32Array(SLOTS);
  private readonly charStart = new Int32Array(MAX_PIECES + 1);
  private readonly charLength = new Int32Array(MAX_PIECES + 1);
  private readonly tokenStart = new Int32Array(MAX_PIECES + 1);
  private readonly tokenLength = new Int32Array(MAX_PIECES + 1);
  private readonly chars = new Uint16Array(MAX_CHARS);
  private readonly tokenPool = new Uint32Array(MAX_TOKENS);
  /** Pieces of up to SHORT_CHARS characters (most of them) by shortKey: token + 1; 0 unknown; -1 several tokens. */
  readonly short = new Int32Array(SHORT_KEYS);
  private pieces = 0;
  private charsUsed = 0;
  private tokensUsed = 0;

  constructor(private readonly encodePiece: (piece: string) => readonly number[]) {}

  /**
   * Writes the tokens of `text.slice(start, end)` into `out` from `at`; returns the index after
   * them. `out` has room: a piece of ASCII text has at most one token per character.
   */
  encodeInto(text: string, start: number, end: number, out: Uint32Array, at: number): number {
    const length = end - start;
    if (length <= SHORT_CHARS) {
      const key = shortKey(text, start, length);
      const known = this.short[key] as number;
      if (known > 0) {
        out[at] = known - 1;
        return at + 1;
      }
      if (known === 0) {
        const tokens = this.encodePiece(text.slice(start, end));
        if (tokens.length === 1) {
          this.short[key] = (tokens[0] as number) + 1;
          out[at] = tokens[0] as number;
          return at + 1;
        }
        this.short[key] = -1;
      }
    }
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    let slot = h & (SLOTS - 1);
    for (let entry = this.slots[slot] as number; entry !== 0; entry = this.slots[slot] as number) {
      if (this.hashes[slot] === h && this.sameChars(entry, text, start, length)) {
        const from = this.tokenStart[entry] as number;
        const to = from + (this.tokenLength[entry] as number);
        for (let t = from; t < to; t++) out[at++] = this.tokenPool[t] as number;
        return at;
      }
      slot = (slot + 1) & (SLOTS - 1);
    }
    const tokens = this.encodePiece(text.slice(start, end));
    for (const token of tokens) out[at++] = token;
    this.remember(slot, h, text, start, length, tokens);
    return at;
  }

  private sameChars(entry: number, text: string, start: number, length: number): boolean {
    if (this.charLength[entry] !== length) return false;
    const from = this.charStart[entry] as number;
    for (let i = 0; i < length; i++) if (this.chars[from + i] !== text.charCodeAt(start + i)) return false;
    return true;
  }

  private remember(
    slot: number,
    h: number,
    text: string,
    start: number,
    length: number,
    tokens: readonly number[],
  ): void {
    if (
      this.pieces >= MAX_PIECES ||
      this.charsUsed + length > MAX_CHARS ||
      this.tokensUsed + tokens.length > MAX_TOKENS
    ) {
      // Full: start over (the slot found above is then as good as any other, the table being empty).
      this.slots.fill(0);
      this.pieces = 0;
      this.charsUsed = 0;
      this.tokensUsed = 0;
      slot = h & (SLOTS - 1);
      if (length > MAX_CHARS || tokens.length > MAX_TOKENS) return;
    }
    const entry = ++this.pieces;
    this.charStart[entry] = this.charsUsed;
    this.charLength[entry] = length;
    for (let i = 0; i < length; i++) this.chars[this.charsUsed + i] = text.charCodeAt(start + i);
    this.charsUsed += length;
    this.tokenStart[entry] = this.tokensUsed;
    this.tokenLength[entry] = tokens.length;
    this.tokenPool.set(tokens, this.tokensUsed);
    this.tokensUsed += tokens.length;
    this.hashes[slot] = h;
    this.slots[slot] = entry;
  }
}

/** Reused output buffer: one token per character at most, grown to the longest text seen. */
let scratch = new Uint32Array(4096);

/**
 * The o200k tokens of `text`, or null when `text` is not all ASCII or has a piece longer than
 * `maxPiece` characters: the caller then takes the library's way.
 */
export function encodeAscii(text: string, table: PieceTable, maxPiece: number): Uint32Array | null {
  const n = text.length;
  if (scratch.length < n) scratch = new Uint32Array(Math.max(n, scratch.length * 2));
  const out = scratch;
  const short = table.short;
  let count = 0;
  for (let i = 0; i < n; ) {
    // The commonest pieces scanned inline (the same as pieceEnd gives): a lowercase word, alone
    // or after one space, and a group of digits.
    const code = text.charCodeAt(i);
    let end: number;
    let from = i;
    if (code === 32 && i + 1 < n && isLower(text.charCodeAt(i + 1))) from = i + 1;
    if (from !== i || isLower(code)) {
      end = from + 1;
      while (end < n && isLower(text.charCodeAt(end))) end++;
      if (end < n && text.charCodeAt(end) === 39) end = contractionEnd(text, end);
    } else if (isDigit(code)) {
      end = i + 1;
      if (end < n && isDigit(text.charCodeAt(end))) {
        end++;
        if (end < n && isDigit(text.charCodeAt(end))) end++;
      }
    } else {
      end = pieceEnd(text, i);
      if (end === -1) return null;
    }
    const length = end - i;
    if (length > maxPiece) return null;
    // a piece of 1-3 characters already known to be one token, looked up inline too
    const known = length <= SHORT_CHARS ? (short[shortKey(text, i, length)] as number) : 0;
    if (known > 0) out[count++] = known - 1;
    else count = table.encodeInto(text, i, end, out, count);
    i = end;
  }
  return out.slice(0, count);
}

function isLower(code: number): boolean {
  return code >= 97 && code <= 122;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
