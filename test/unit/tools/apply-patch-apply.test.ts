import { describe, expect, it } from 'vitest';
import {
  applyChunks,
  applyPatch,
  normalizePatchPath,
  pathsToRead,
  seekSequence,
} from '../../../src/agent/tools/apply-patch-apply.js';
import { PatchError, parsePatch } from '../../../src/agent/tools/apply-patch-parse.js';

const patch = (...lines: string[]) => parsePatch(['*** Begin Patch', ...lines, '*** End Patch'].join('\n'));
const files = (entries: Record<string, string>) => new Map<string, string | null>(Object.entries(entries));

describe('seekSequence', () => {
  const lines = ['a', 'b  ', '  c', 'a', 'b'];
  it('prefers an exact match over a whitespace-tolerant one', () => {
    expect(seekSequence(lines, ['a', 'b'], 0, false)).toBe(3);
  });
  it('falls back to ignoring trailing whitespace, then surrounding whitespace', () => {
    expect(seekSequence(lines, ['b'], 0, false)).toBe(4);
    expect(seekSequence(lines, ['b', '  c'], 0, false)).toBe(1);
    expect(seekSequence(lines, ['c'], 0, false)).toBe(2);
  });
  it('searches from the start index and reports -1 when absent', () => {
    expect(seekSequence(lines, ['a'], 1, false)).toBe(3);
    expect(seekSequence(lines, ['zzz'], 0, false)).toBe(-1);
    expect(seekSequence(['a'], ['a', 'b'], 0, false)).toBe(-1);
  });
  it('tries the end of the file first for End of File hunks', () => {
    expect(seekSequence(['x', 'y', 'x'], ['x'], 0, true)).toBe(2);
    expect(seekSequence(['x', 'y', 'x'], ['x'], 0, false)).toBe(0);
  });
});

describe('applyChunks', () => {
  const source = 'def f():\n    return 1\n\ndef g():\n    return 1\n';

  it('replaces the lines after the @@ context line', () => {
    const [op] = patch('*** Update File: m.py', '@@ def g():', '-    return 1', '+    return 2');
    if (op?.kind !== 'update') throw new Error('expected update');
    expect(applyChunks('m.py', source, op.chunks)).toBe('def f():\n    return 1\n\ndef g():\n    return 2\n');
  });

  it('applies several hunks in one file', () => {
    const [op] = patch(
      '*** Update File: m.py',
      '@@',
      ' def f():',
      '-    return 1',
      '+    return 10',
      '@@',
      ' def g():',
      '-    return 1',
      '+    return 20',
    );
    if (op?.kind !== 'update') throw new Error('expected update');
    expect(applyChunks('m.py', source, op.chunks)).toBe(
      'def f():\n    return 10\n\ndef g():\n    return 20\n',
    );
  });

  it('matches context that differs only in trailing whitespace', () => {
    const [op] = patch('*** Update File: t.txt', '@@', ' keep', '-old', '+new');
    if (op?.kind !== 'update') throw new Error('expected update');
    // The context line keeps the file's own trailing spaces.
    expect(applyChunks('t.txt', 'keep   \nold\t\n', op.chunks)).toBe('keep   \nnew\n');
  });

  it('inserts pure additions after the context line, or at the end without one', () => {
    const withContext = patch('*** Update File: t.txt', '@@ b', '+inserted');
    const atEnd = patch('*** Update File: t.txt', '@@', '+appended');
    if (withContext[0]?.kind !== 'update' || atEnd[0]?.kind !== 'update') throw new Error('expected update');
    expect(applyChunks('t.txt', 'a\nb\nc\n', withContext[0].chunks)).toBe('a\nb\ninserted\nc\n');
    expect(applyChunks('t.txt', 'a\nb\nc\n', atEnd[0].chunks)).toBe('a\nb\nc\nappended\n');
  });

  it('adds a final newline to a file that had none', () => {
    const [op] = patch('*** Update File: t.txt', '@@', '-a', '+b');
    if (op?.kind !== 'update') throw new Error('expected update');
    expect(applyChunks('t.txt', 'a', op.chunks)).toBe('b\n');
  });

  it('retries without a trailing blank context line', () => {
    const [op] = patch('*** Update File: t.txt', '@@', '-a', '+b', '', '@@', '-c', '+d');
    if (op?.kind !== 'update') throw new Error('expected update');
    expect(applyChunks('t.txt', 'a\nc\n', op.chunks)).toBe('b\nd\n');
  });

  it('names the file and the hunk when lines are not found', () => {
    const [op] = patch('*** Update File: m.py', '@@ def g():', '-    return 99', '+    return 2');
    if (op?.kind !== 'update') throw new Error('expected update');
    expect(() => applyChunks('m.py', source, op.chunks)).toThrow(
      /hunk 1 \(@@ def g\(\):\) of 'm.py' did not apply: these lines were not found in the file after line 4:\n {4}return 99/,
    );
  });

  it('names the missing context line', () => {
    const [op] = patch('*** Update File: m.py', '@@ def nope():', '-x', '+y');
    if (op?.kind !== 'update') throw new Error('expected update');
    expect(() => applyChunks('m.py', source, op.chunks)).toThrow(
      "hunk 1 (@@ def nope():) of 'm.py' did not apply: the context line 'def nope():' was not found",
    );
  });

  it('requires hunks to appear in file order', () => {
    const [op] = patch(
      '*** Update File: m.py',
      '@@ def g():',
      '-    return 1',
      '+    return 2',
      '@@ def f():',
      '-    return 1',
      '+    return 3',
    );
    if (op?.kind !== 'update') throw new Error('expected update');
    expect(() => applyChunks('m.py', source, op.chunks)).toThrow(/hunk 2 \(@@ def f\(\):\) of 'm.py'/);
  });
});

describe('applyPatch', () => {
  it('returns writes and deletions with a Codex-style summary', () => {
    const ops = patch(
      '*** Add File: ./new/file.txt',
      '+hi',
      '*** Update File: a.txt',
      '@@',
      '-1',
      '+one',
      '*** Delete File: gone.txt',
    );
    const result = applyPatch(ops, files({ 'a.txt': '1\n2\n', 'gone.txt': 'x\n' }));
    expect(result.summary).toEqual(['A new/file.txt', 'M a.txt', 'D gone.txt']);
    expect(result.changes).toEqual([
      { kind: 'write', path: 'new/file.txt', content: 'hi\n' },
      { kind: 'write', path: 'a.txt', content: 'one\n2\n' },
      { kind: 'delete', path: 'gone.txt' },
    ]);
  });

  it('moves a file: writes the new path and deletes the old one', () => {
    const ops = patch('*** Update File: a.txt', '*** Move to: dir/b.txt', '@@', '-x', '+y');
    const result = applyPatch(ops, files({ 'a.txt': 'x\n' }));
    expect(result.changes).toEqual([
      { kind: 'write', path: 'dir/b.txt', content: 'y\n' },
      { kind: 'delete', path: 'a.txt' },
    ]);
    expect(result.summary).toEqual(['M dir/b.txt']);
  });

  it('sees earlier operations of the same patch', () => {
    const ops = patch('*** Add File: n.txt', '+a', '*** Update File: n.txt', '@@', '-a', '+b');
    expect(applyPatch(ops, files({})).changes).toEqual([{ kind: 'write', path: 'n.txt', content: 'b\n' }]);
  });

  it('does not delete a file that only existed inside the patch', () => {
    const ops = patch('*** Add File: tmp.txt', '+a', '*** Delete File: tmp.txt');
    expect(applyPatch(ops, files({})).changes).toEqual([]);
  });

  it('fails as a whole when a later file does not match', () => {
    const ops = patch(
      '*** Update File: a.txt',
      '@@',
      '-x',
      '+y',
      '*** Update File: b.txt',
      '@@',
      '-nope',
      '+z',
    );
    expect(() => applyPatch(ops, files({ 'a.txt': 'x\n', 'b.txt': 'b\n' }))).toThrow(PatchError);
    expect(() => applyPatch(ops, files({ 'a.txt': 'x\n', 'b.txt': 'b\n' }))).toThrow(/hunk 1 of 'b.txt'/);
  });

  it('rejects updating or deleting a missing file', () => {
    expect(() => applyPatch(patch('*** Delete File: a.txt'), files({}))).toThrow(
      "cannot delete 'a.txt': the file does not exist",
    );
    expect(() => applyPatch(patch('*** Update File: a.txt', '-x'), new Map([['a.txt', null]]))).toThrow(
      "cannot update 'a.txt': the file does not exist",
    );
  });
});

describe('paths', () => {
  it('normalizes equivalent spellings of a path', () => {
    expect(normalizePatchPath('./a/../b.txt')).toBe('b.txt');
    expect(normalizePatchPath('dir/')).toBe('dir');
    expect(normalizePatchPath('/abs/x')).toBe('/abs/x');
  });
  it('lists each file to read once, skipping added files', () => {
    const ops = patch(
      '*** Add File: n.txt',
      '+a',
      '*** Update File: ./a.txt',
      '-x',
      '*** Delete File: a.txt',
    );
    expect(pathsToRead(ops)).toEqual(['a.txt']);
  });
});
