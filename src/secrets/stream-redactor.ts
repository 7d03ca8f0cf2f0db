import { StringDecoder } from 'node:string_decoder';
import {
  aSecretSpansLines,
  isSafeCut,
  lastSafeCut,
  longestSecretForm,
  redact,
  redactKnownSecrets,
  redactShapes,
} from './redact.js';

/** Past this much text held without a line end, part of it is let through at a safe cut. */
const MAX_HELD_CHARS = 64 * 1024;
/** How far back from the end a forced cut looks for a safe place before waiting for more text. */
const CUT_SEARCH_CHARS = 4096;

/**
 * Redacts a text stream (an SSE answer, a JSON body) as it passes, without holding the whole
 * stream: text is let through up to its last line end (an SSE event or a JSON line is used only
 * once its line has ended, so this costs the reader nothing), and a line longer than 64 KiB is let
 * through in parts. A secret split across chunks is caught: known secrets are replaced in all that
 * is held before any cut, no forced cut is made inside the last `longestSecretForm() - 1`
 * characters (nor at a line end when a secret spans lines), and none where a credential shape
 * could run across it (isSafeCut).
 */
export class StreamRedactor {
  private readonly decoder = new StringDecoder('utf8');
  private held = '';
  /** A forced cut is tried again only once this much more is held (no rescans of a line per chunk). */
  private forceAt = MAX_HELD_CHARS;
  /** What is held has a line end that was no safe place to cut (right after a credential keyword). */
  private unsafeLineEnd = false;

  /** Feed a chunk; returns the text that may be passed on now ('' when all of it is held). */
  push(chunk: Buffer | string): string {
    const more = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    // Known secrets first: what is held has none left, so a new one ends in `more` and starts at
    // most longestSecretForm() - 1 characters before it. None then spans a cut, and a secret's
    // beginning at the end stays held (after a line end, or within the forced cut's margin).
    const from = Math.max(0, this.held.length - Math.max(longestSecretForm() - 1, 0));
    this.held = this.held.slice(0, from) + redactKnownSecrets(this.held.slice(from) + more);
    const spansLines = aSecretSpansLines();
    const upTo = spansLines ? this.held.length - longestSecretForm() : this.held.length;
    // a line end is looked for only where one can be new (what is held has none, but for a cut found unsafe)
    const lineEnd =
      upTo > 0 && (spansLines || this.unsafeLineEnd || more.includes('\n'))
        ? this.held.lastIndexOf('\n', upTo - 1) + 1
        : 0;
    let out = '';
    this.unsafeLineEnd = false;
    if (lineEnd > 0 && isSafeCut(this.held, lineEnd)) {
      out = redactShapes(this.held.slice(0, lineEnd)); // known secrets are out already
      this.held = this.held.slice(lineEnd);
    } else if (lineEnd > 0) this.unsafeLineEnd = true;
    if (this.held.length < MAX_HELD_CHARS) this.forceAt = MAX_HELD_CHARS;
    else if (this.held.length >= this.forceAt) out += this.forcedPart();
    return out;
  }

  /** The stream ended: everything still held, redacted. */
  end(): string {
    const rest = redact(this.held + this.decoder.end());
    this.held = '';
    return rest;
  }

  /**
   * Part of an over-long line. Known secrets are out of what is held already; credential shapes are
   * taken only from the part let through (a shape matched on the held end could take a value's first
   * half and let the rest go).
   */
  private forcedPart(): string {
    const text = this.held;
    const at = lastSafeCut(text, text.length - Math.max(longestSecretForm() - 1, 0), CUT_SEARCH_CHARS);
    if (at > 0) {
      this.held = text.slice(at);
      return redactShapes(text.slice(0, at));
    }
    this.held = text;
    this.forceAt = text.length + MAX_HELD_CHARS;
    return '';
  }
}
