import { describe, expect, it } from 'vitest';
import {
  newLinesOf,
  oldLinesOf,
  PatchError,
  parsePatch,
} from '../../../src/agent/tools/apply-patch-parse.js';

const patch = (...lines: string[]) => ['*** Begin Patch', ...lines, '*** End Patch'].join('\n');

describe('parsePatch', () => {
  it('parses add, delete and update sections in order', () => {
    const ops = parsePatch(
      patch(
        '*** Add File: src/new.txt',
        '+hello',
        '+',
        '+world',
        '*** Delete File: old.txt',
        '*** Update File: src/app.py',
        '@@ def main():',
        ' a = 1',
        '-b = 2',
        '+b = 3',
        ' c = 4',
      ),
    );
    expect(ops).toEqual([
      { kind: 'add', path: 'src/new.txt', content: 'hello\n\nworld\n' },
      { kind: 'delete', path: 'old.txt' },
      {
        kind: 'update',
        path: 'src/app.py',
        moveTo: null,
        chunks: [
          {
            context: 'def main():',
            lines: [
              { kind: 'context', text: 'a = 1' },
              { kind: 'remove', text: 'b = 2' },
              { kind: 'add', text: 'b = 3' },
              { kind: 'context', text: 'c = 4' },
            ],
            isEndOfFile: false,
          },
        ],
      },
    ]);
  });

  it('parses an empty added file', () => {
    expect(parsePatch(patch('*** Add File: empty.txt'))).toEqual([
      { kind: 'add', path: 'empty.txt', content: '' },
    ]);
  });

  it('parses Move to, several hunks, bare @@ and End of File', () => {
    const [op] = parsePatch(
      patch(
        '*** Update File: a.txt',
        '*** Move to: b/c.txt',
        '@@',
        ' one',
        '-two',
        '+TWO',
        '@@ section',
        '-last',
        '+LAST',
        '*** End of File',
      ),
    );
    expect(op).toMatchObject({ kind: 'update', path: 'a.txt', moveTo: 'b/c.txt' });
    if (op?.kind !== 'update') throw new Error('expected an update');
    expect(op.chunks.map((c) => [c.context, oldLinesOf(c), newLinesOf(c), c.isEndOfFile])).toEqual([
      [null, ['one', 'two'], ['one', 'TWO'], false],
      ['section', ['last'], ['LAST'], true],
    ]);
  });

  it('allows the first hunk to omit its @@ header', () => {
    const [op] = parsePatch(patch('*** Update File: a.txt', '-x', '+y'));
    if (op?.kind !== 'update') throw new Error('expected an update');
    expect(op.chunks).toHaveLength(1);
    expect(op.chunks[0]?.context).toBeNull();
    expect(op.chunks[0] && [oldLinesOf(op.chunks[0]), newLinesOf(op.chunks[0])]).toEqual([['x'], ['y']]);
  });

  it('treats an empty line inside a hunk as an empty context line', () => {
    const [op] = parsePatch(patch('*** Update File: a.txt', '@@', ' a', '', '-b', '+B'));
    if (op?.kind !== 'update' || !op.chunks[0]) throw new Error('expected an update');
    expect([oldLinesOf(op.chunks[0]), newLinesOf(op.chunks[0])]).toEqual([
      ['a', '', 'b'],
      ['a', '', 'B'],
    ]);
  });

  it('accepts CRLF line endings, surrounding whitespace and a heredoc wrapper', () => {
    const text = `  <<'EOF'\r\n${patch('*** Delete File: x.txt').replaceAll('\n', '\r\n')}\r\nEOF\n`;
    expect(parsePatch(text)).toEqual([{ kind: 'delete', path: 'x.txt' }]);
  });

  it.each([
    [
      'no Begin line',
      '*** Add File: a\n+x\n*** End Patch',
      /first line of the patch must be '\*\*\* Begin Patch'/,
    ],
    [
      'no End line',
      '*** Begin Patch\n*** Add File: a\n+x',
      /last line of the patch must be '\*\*\* End Patch'/,
    ],
    ['no operations', patch(), /no file operations/],
    [
      'a bad section header',
      patch('*** Frobnicate File: a'),
      /'\*\*\* Frobnicate File: a' is not a valid section header/,
    ],
    ['text outside a section', patch('hello'), /'hello' is not a valid section header/],
    [
      'an added line without +',
      patch('*** Add File: n.txt', '+ok', 'oops'),
      /every line of the Add File section for 'n.txt' must start with '\+', got: 'oops'/,
    ],
    [
      'an update with no hunks',
      patch('*** Update File: a.txt'),
      /Update File section for 'a.txt' has no hunks/,
    ],
    ['a missing path', patch('*** Delete File: '), /names no file/],
    [
      'a hunk line without a marker',
      patch('*** Update File: a.txt', '@@', '-x', '+y', 'oops'),
      /unexpected line in hunk 1 of 'a.txt': 'oops'/,
    ],
    [
      'a second hunk without @@',
      patch('*** Update File: a.txt', '@@', '-x', '*** End of File', '-y'),
      /hunk 2 of 'a.txt' must start with '@@'/,
    ],
    ['an empty hunk', patch('*** Update File: a.txt', '@@', '@@', '-x'), /hunk 1 of 'a.txt' has no lines/],
  ])('rejects %s with a clear error', (_name, text, message) => {
    expect(() => parsePatch(text)).toThrow(PatchError);
    expect(() => parsePatch(text)).toThrow(message);
  });
});
