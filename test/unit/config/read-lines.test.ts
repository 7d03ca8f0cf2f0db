import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readLines } from '../../../src/config/read-lines.js';

async function lines(chunks: (string | Buffer)[], max?: number) {
  const out = [];
  for await (const l of readLines(Readable.from(chunks), max)) out.push(l);
  return out;
}

describe('reading a log line by line', () => {
  it('splits on LF and CRLF, drops blank lines, keeps a last line without a newline', async () => {
    expect(await lines(['{"a":1}\r\n\n  \n{"b"', ':2}\n{"c":3}'])).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 4, text: '{"b":2}' },
      { line: 5, text: '{"c":3}' },
    ]);
  });

  it('joins a character whose bytes are split between chunks', async () => {
    const bytes = Buffer.from('{"t":"né日本"}\n', 'utf8');
    const cut = bytes.indexOf(Buffer.from('日', 'utf8')) + 1; // inside the 3-byte character
    expect(await lines([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual([
      { line: 1, text: '{"t":"né日本"}' },
    ]);
  });

  it('skips a line longer than the cap, says how long it was, and reads on', async () => {
    const long = 'x'.repeat(40);
    expect(await lines(['{"a":1}\n', long.slice(0, 15), long.slice(15), '\n{"b":2}\n'], 32)).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 2, text: '', overlongBytes: 40 },
      { line: 3, text: '{"b":2}' },
    ]);
    // the cap counts the whole line, also when it is the last one and has no newline
    expect(await lines(['{"a":1}\n', long], 32)).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 2, text: '', overlongBytes: 40 },
    ]);
  });
});
