import { describe, expect, it } from 'vitest';
import { CappedCollector, capOutput, cutMarker, splitBudget } from '../../../src/sandbox/output-cap.js';

describe('capOutput', () => {
  it('returns short output unchanged', () => {
    expect(capOutput('hello\n', 100)).toEqual({ text: 'hello\n', truncated: false, totalBytes: 6 });
  });

  it('keeps output exactly at the cap', () => {
    const r = capOutput('x'.repeat(10), 10);
    expect(r.truncated).toBe(false);
    expect(r.text).toBe('x'.repeat(10));
  });

  it('keeps head and tail and marks the cut', () => {
    const text = `${'a'.repeat(50)}${'m'.repeat(100)}${'z'.repeat(50)}`;
    const r = capOutput(text, 20);
    expect(r.truncated).toBe(true);
    expect(r.totalBytes).toBe(200);
    expect(r.text).toBe(`${'a'.repeat(10)}${cutMarker(180)}${'z'.repeat(10)}`);
  });

  it('gives the extra byte of an odd budget to the head', () => {
    const r = capOutput('0123456789', 5);
    expect(r.text).toBe(`012${cutMarker(5)}89`);
  });

  it('never splits a multi-byte character', () => {
    const text = 'é'.repeat(20); // 40 bytes, 2 per char
    const r = capOutput(text, 7); // head budget 4 bytes, tail budget 3 bytes
    expect(r.text).toBe(`éé${cutMarker(34)}é`);
    expect(r.text).not.toContain('\uFFFD');
  });
});

describe('CappedCollector', () => {
  function collect(chunks: string[], limit: number): CappedCollector {
    const c = new CappedCollector(limit);
    for (const chunk of chunks) c.push(Buffer.from(chunk));
    return c;
  }

  it('returns everything while under the limit, whatever the chunking', () => {
    const c = collect(['ab', 'cd', 'e'], 10);
    expect(c.render()).toEqual({ text: 'abcde', truncated: false, totalBytes: 5 });
  });

  it('matches capOutput on the same stream when the stream passes the limit', () => {
    const text = Array.from({ length: 500 }, (_, i) => `line ${i}\n`).join('');
    const chunks = text.match(/[\s\S]{1,37}/g) ?? [];
    const c = collect(chunks, 64);
    expect(c.render()).toEqual(capOutput(text, 64));
  });

  it('renders within a smaller budget than its limit', () => {
    const text = `${'a'.repeat(100)}${'z'.repeat(100)}`;
    const c = collect([text], 50);
    expect(c.render(10)).toEqual(capOutput(text, 10));
  });

  it('holds bounded memory and counts every byte of endless output', () => {
    const c = new CappedCollector(1000);
    const chunk = Buffer.alloc(64 * 1024, 'y');
    for (let i = 0; i < 200; i++) c.push(chunk);
    expect(c.totalBytes).toBe(200 * 64 * 1024);
    const r = c.render();
    expect(r.truncated).toBe(true);
    expect(r.text).toBe(`${'y'.repeat(500)}${cutMarker(200 * 64 * 1024 - 1000)}${'y'.repeat(500)}`);
  });

  it('keeps the real tail when the last chunk is small', () => {
    const c = collect(['H'.repeat(30), 'm'.repeat(30), 'T1', 'T2'], 10);
    expect(c.render().text).toBe(`HHHHH${cutMarker(54)}mT1T2`);
  });
});

describe('splitBudget', () => {
  it('gives both streams everything when they fit', () => {
    expect(splitBudget(10, 20, 100)).toEqual([10, 20]);
  });
  it('gives a small stderr what it needs and stdout the rest', () => {
    expect(splitBudget(1000, 10, 100)).toEqual([90, 10]);
  });
  it('caps the smaller stream at half the budget', () => {
    expect(splitBudget(1000, 800, 100)).toEqual([50, 50]);
    expect(splitBudget(60, 1000, 100)).toEqual([50, 50]);
  });
});
