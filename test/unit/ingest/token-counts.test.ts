import { describe, expect, test } from 'vitest';
import { TokenCountDedup } from '../../../src/ingest/index.js';
import type { TokenCounts } from '../../../src/ingest/token-counts.js';

const counts = (input: number, cached: number | null, output: number): TokenCounts => ({
  input,
  cached,
  cacheWrite: null,
  output,
  reasoning: null,
  total: input + output,
});
const plus = (a: TokenCounts, b: TokenCounts): TokenCounts =>
  counts(
    (a.input ?? 0) + (b.input ?? 0),
    (a.cached ?? 0) + (b.cached ?? 0),
    (a.output ?? 0) + (b.output ?? 0),
  );

describe('token_count dedup', () => {
  test('a repeated report (same running total) is counted once', () => {
    const d = new TokenCountDedup();
    const r1 = counts(1000, 0, 10);
    expect(d.accept({ last: r1, total: r1 }, true)).toMatchObject({ kind: 'request', usage: r1 });
    expect(d.accept({ last: r1, total: r1 }, false)).toEqual({ kind: 'repeat' });
    expect(d.accept({ last: r1, total: r1 }, true)).toEqual({ kind: 'repeat' });
  });

  test('a second request with the very same usage grows the total, so it is counted', () => {
    const d = new TokenCountDedup();
    const r = counts(2000, 1920, 40);
    const t1 = r;
    const t2 = plus(t1, r);
    expect(d.accept({ last: r, total: t1 }, true).kind).toBe('request');
    expect(d.accept({ last: r, total: t2 }, false)).toMatchObject({
      kind: 'request',
      usage: r,
      warning: null,
    });
  });

  test('a report with nothing in or out is a context-size update, not a request', () => {
    const d = new TokenCountDedup();
    const r = counts(5000, 0, 50);
    d.accept({ last: r, total: r }, true);
    const estimate = { ...counts(0, 0, 0), total: 3200 };
    expect(d.accept({ last: estimate, total: r }, false)).toEqual({ kind: 'context', contextTokens: 3200 });
  });

  test('when the total grows by more than the last request says, the last request is counted and a warning given', () => {
    const d = new TokenCountDedup();
    const r1 = counts(1000, 0, 10);
    d.accept({ last: r1, total: r1 }, true);
    const r2 = counts(1100, 896, 10);
    const hidden = counts(700, 0, 20); // a request the log reported no event for
    const verdict = d.accept({ last: r2, total: plus(plus(r1, r2), hidden) }, true);
    expect(verdict).toMatchObject({ kind: 'request', usage: r2 });
    expect(verdict.kind === 'request' && verdict.warning).toMatch(
      /grew by input 1800.*last_token_usage is counted/,
    );
  });

  test('a total restarted by a resume (equal to its own last) is a restart, even when it exceeds the old total in every field', () => {
    // Codex 0.47 `exec resume`: 5780/0/2, then the restarted total 5795/5780/2 (test/fixtures/codex/v0.47-resume)
    const d = new TokenCountDedup();
    const r1 = counts(5780, 0, 2);
    d.accept({ last: r1, total: r1 }, true);
    const r2 = counts(5795, 5780, 2);
    expect(d.accept({ last: r2, total: r2 }, true)).toEqual({ kind: 'request', usage: r2, warning: null });
    const r3 = counts(5810, 5795, 2);
    expect(d.accept({ last: r3, total: plus(r2, r3) }, true)).toEqual({
      kind: 'request',
      usage: r3,
      warning: null,
    });
  });

  test('a restarted total below the old one is a restart too', () => {
    const d = new TokenCountDedup();
    const r1 = counts(1000, 0, 10);
    d.accept({ last: r1, total: r1 }, true);
    const r2 = counts(500, 0, 5);
    expect(d.accept({ last: r2, total: r2 }, true)).toEqual({ kind: 'request', usage: r2, warning: null });
  });

  test('a total that goes down otherwise is a warning; the last request is counted', () => {
    const d = new TokenCountDedup();
    const r1 = counts(1000, 0, 10);
    d.accept({ last: r1, total: r1 }, true);
    const r2 = counts(500, 0, 5);
    const verdict = d.accept({ last: r2, total: counts(800, 0, 8) }, true);
    expect(verdict).toMatchObject({ kind: 'request', usage: r2 });
    expect(verdict.kind === 'request' && verdict.warning).toMatch(/went down/);
  });

  test('a report without last_token_usage counts the growth of the total', () => {
    const d = new TokenCountDedup();
    const r1 = counts(1000, 0, 10);
    d.accept({ last: r1, total: r1 }, true);
    const r2 = counts(1100, 896, 10);
    expect(d.accept({ last: null, total: plus(r1, r2) }, true)).toEqual({
      kind: 'request',
      usage: r2,
      warning: null,
    });
  });

  test('without a running total, an identical report is a repeat only when no output came between', () => {
    const d = new TokenCountDedup();
    const r = counts(1000, 0, 10);
    expect(d.accept({ last: r, total: null }, true).kind).toBe('request');
    expect(d.accept({ last: r, total: null }, false).kind).toBe('repeat');
    expect(d.accept({ last: r, total: null }, true).kind).toBe('request');
  });

  test('missing fields stay unknown (null), never 0', () => {
    const d = new TokenCountDedup();
    const r = counts(1000, null, 10);
    const verdict = d.accept({ last: r, total: r }, true);
    expect(verdict.kind === 'request' && verdict.usage.cached).toBeNull();
  });
});

describe('reports with and without a running total for the same request', () => {
  test('a total that catches up with a request already counted is not a second request', () => {
    const d = new TokenCountDedup();
    const r1 = counts(1000, 0, 10);
    d.accept({ last: r1, total: r1 }, true);
    const r2 = counts(1100, 896, 10);
    expect(d.accept({ last: r2, total: null }, true).kind).toBe('request'); // e.g. a usage record without a total
    expect(d.accept({ last: r2, total: plus(r1, r2) }, false)).toEqual({ kind: 'repeat' });
    const r3 = counts(1200, 1024, 10);
    expect(d.accept({ last: r3, total: plus(plus(r1, r2), r3) }, true).kind).toBe('request');
  });
});
