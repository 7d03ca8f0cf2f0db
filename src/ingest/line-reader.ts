import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export interface NumberedLine {
  /** 1-based line number in the source. */
  line: number;
  text: string;
}

/**
 * The non-blank lines of a file or stream, one at a time: memory holds one line, never the file.
 * CRLF line ends are accepted.
 */
export async function* readLines(source: string | Readable): AsyncGenerator<NumberedLine> {
  const input = typeof source === 'string' ? createReadStream(source, { encoding: 'utf8' }) : source;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      if (text.trim() === '') continue;
      yield { line, text };
    }
  } finally {
    lines.close();
    if (typeof source === 'string') input.destroy();
  }
}

/** Parses a line as JSON; null when it is not JSON. A byte-order mark (an editor's) is dropped. */
export function parseJsonLine(text: string): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return null;
  }
}
