import { describe, expect, it } from 'vitest';
import { numberedLines } from '../../../src/agent/tools/read-file.js';
import { capText } from '../../../src/agent/tools/text-cap.js';
import { HeadTailCollector, renderCapped, splitBudget } from '../../../src/sandbox/local-output.js';

function collect(max: number, ...chunks: string[]): HeadTailCollector {
  const collector = new HeadTailCollector(max);
  for (const chunk of chunks) collector.push(Buffer.from(chunk));
  return collector;
}

describe('HeadTailCollector + renderCapped', () => {
  it('keeps everything under the cap', () => {
    const collector = collect(100, 'hello ', 'world');
    expect(renderCapped(collector, 100)).toEqual({ text: 'hello world', truncated: false });
  });

  it('keeps the head and the tail of a long stream and counts the cut', () => {
    const collector = collect(10, 'abcdefgh', 'ijklmnop', 'qrstuvwxyz');
    expect(collector.totalBytes).toBe(26);
    expect(renderCapped(collector, 10)).toEqual({
      text: 'abcde\n[... 16 bytes truncated ...]\nvwxyz',
      truncated: true,
    });
  });

  it('renders within a smaller budget than it collected', () => {
    const collector = collect(10, 'abcdefghijklmnopqrstuvwxyz');
    expect(renderCapped(collector, 4).text).toBe('ab\n[... 22 bytes truncated ...]\nyz');
  });

  it('holds bounded memory for a very long stream', () => {
    const collector = new HeadTailCollector(64);
    for (let i = 0; i < 10_000; i++) collector.push(Buffer.from(`line ${i}\n`));
    const { head, tail } = collector.parts();
    expect(head.length + tail.length).toBe(64);
    expect(renderCapped(collector, 64).text.endsWith('line 9999\n')).toBe(true);
  });

  it('does not split a multi-byte character at the cut', () => {
    const collector = collect(6, 'ééééééé'); // 14 bytes
    const { text } = renderCapped(collector, 6);
    expect(text).not.toContain('\uFFFD');
    expect(text).toMatch(/^é+\n\[\.\.\. \d+ bytes truncated \.\.\.\]\né+$/);
  });
});

describe('splitBudget', () => {
  it('gives each stream what it needs when both fit', () => {
    expect(splitBudget(10, 5, 100)).toEqual([10, 5]);
  });
  it('gives the unused share of a small stream to the large one', () => {
    expect(splitBudget(500, 10, 100)).toEqual([90, 10]);
    expect(splitBudget(10, 500, 100)).toEqual([10, 90]);
  });
  it('splits evenly when both are large', () => {
    expect(splitBudget(500, 500, 100)).toEqual([50, 50]);
  });
});

describe('capText', () => {
  it('returns short text unchanged', () => {
    expect(capText('short', 10)).toEqual({ text: 'short', truncated: false });
  });
  it('keeps head and tail within the byte cap', () => {
    expect(capText('0123456789abcdef', 8)).toEqual({
      text: '0123\n[... 8 bytes truncated ...]\ncdef',
      truncated: true,
    });
  });
});

describe('numberedLines', () => {
  const file = 'one\ntwo\nthree\nfour\n';

  it('numbers lines from 1', () => {
    expect(numberedLines(file, 1, 100, 1000)).toEqual({
      kind: 'lines',
      text: 'L1: one\nL2: two\nL3: three\nL4: four',
      truncated: false,
    });
  });

  it('pages with offset and limit and says how to continue', () => {
    expect(numberedLines(file, 2, 2, 1000)).toEqual({
      kind: 'lines',
      text: 'L2: two\nL3: three\n[4 lines in total; call read_file with offset=4 to continue]',
      truncated: false,
    });
  });

  it('stops at the byte cap on a line boundary', () => {
    const page = numberedLines(file, 1, 100, 20);
    expect(page).toEqual({
      kind: 'lines',
      text: 'L1: one\nL2: two\n[output cut at 20 bytes: 4 lines in total; call read_file with offset=3 to continue]',
      truncated: true,
    });
  });

  it('cuts very long lines', () => {
    const page = numberedLines(`${'x'.repeat(600)}\n`, 1, 10, 10_000);
    expect(page).toMatchObject({ kind: 'lines', truncated: true });
    if (page.kind !== 'lines') throw new Error('expected lines');
    expect(page.text).toBe(`L1: ${'x'.repeat(500)} [line cut]`);
  });

  it('reports an offset past the end and an empty file', () => {
    expect(numberedLines(file, 9, 10, 1000)).toEqual({ kind: 'past_end', totalLines: 4 });
    expect(numberedLines('', 1, 10, 1000)).toEqual({ kind: 'lines', text: '(empty file)', truncated: false });
  });
});
