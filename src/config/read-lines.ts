import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

export interface NumberedLine {
  /** 1-based line number in the source. */
  line: number;
  /** The line's text; empty for a line too long to read. */
  text: string;
  /** Set for a line longer than the reader takes: its length in bytes; its text is not read. */
  overlongBytes?: number;
}

/**
 * Longest line read: 64 MiB. Longer ones (a hostile or broken file; V8 cannot even hold a string
 * past ~512 MiB, and node:readline throws then) are skipped, and reading goes on after them.
 */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * The non-blank lines of a file or stream, one at a time: memory holds one line, never the file.
 * CRLF line ends are accepted.
 */
export async function* readLines(
  source: string | Readable,
  maxLineBytes = MAX_LINE_BYTES,
): AsyncGenerator<NumberedLine> {
  const input = typeof source === 'string' ? createReadStream(source) : source;
  let parts: Buffer[] = [];
  let size = 0;
  let line = 0;
  const take = (piece: Buffer): NumberedLine | null => {
    line++;
    const bytes = size + piece.length;
    if (bytes > maxLineBytes) {
      parts = [];
      size = 0;
      return { line, text: '', overlongBytes: bytes };
    }
    let whole = parts.length === 0 ? piece : Buffer.concat([...parts, piece], bytes);
    parts = [];
    size = 0;
    if (whole.length > 0 && whole[whole.length - 1] === CR) whole = whole.subarray(0, whole.length - 1);
    const text = whole.toString('utf8');
    return text.trim() === '' ? null : { line, text };
  };
  try {
    for await (const chunk of input) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
      let start = 0;
      for (let nl = buf.indexOf(NEWLINE); nl !== -1; nl = buf.indexOf(NEWLINE, start)) {
        const got = take(buf.subarray(start, nl));
        start = nl + 1;
        if (got) yield got;
      }
      const rest = buf.subarray(start);
      if (rest.length === 0) continue;
      // Past the cap only the length is kept: the line is skipped once its end comes.
      if (size <= maxLineBytes) parts.push(Buffer.from(rest));
      else parts = [];
      size += rest.length;
    }
    if (size > 0) {
      const got = take(Buffer.alloc(0));
      if (got) yield got;
    }
  } finally {
    if (typeof source === 'string') input.destroy();
  }
}

/** The warning's words for a line past the cap. */
export function overlong(bytes: number): string {
  return `longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB (${bytes} bytes)`;
}

/** Parses a line as JSON; null when it is not JSON. A byte-order mark (an editor's) is dropped. */
export function parseJsonLine(text: string): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return null;
  }
}
