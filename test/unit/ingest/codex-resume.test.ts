import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { build, fixture } from './helpers.js';

const FILE = 'rollout-2026-12-02T12-19-37-01a236b2-32a7-7a53-bace-83dd19d2874b.jsonl';
/** Codex 0.47.0: `exec`, then `exec resume` appending to the same file; the total restarts from zero. */
const RESUMED_047 = fixture('v0.47-resume', FILE);
/** The same session resumed once more by Codex 0.171.0: no new session_meta, lines of the newer shape. */
const RESUMED_0171 = fixture('v0.47-resume-v0.171', FILE);

const usageOf = (t: { input_tokens: number; cached_tokens: number | null; output_tokens: number }) => [
  t.input_tokens,
  t.cached_tokens,
  t.output_tokens,
];

describe('a session resumed by an older Codex (the running total restarts)', () => {
  test("each request's usage is the log's last_token_usage, never the growth of a restarted total", async () => {
    const { turns, samples, warnings } = await build([{ file: RESUMED_047 }]);
    // the log: last_token_usage 5780/0/2, then (after the resume, total = last) 5795/5780/2
    expect(turns.map(usageOf)).toEqual([
      [5780, 0, 2],
      [5795, 5780, 2],
    ]);
    expect(turns[1]!.cache_class).not.toBe('below_minimum');
    expect(samples[0]).toMatchObject({ input_tokens: 11575, cached_tokens: 5780, output_tokens: 4 });
    // 0.47 writes no task_complete: the answer is the last assistant message the log holds
    expect(samples[0]).toMatchObject({ stop_reason: 'log_ended', final_answer: 'Hello.' });
    expect(warnings).toEqual([]);
  });
});

describe('a file whose Codex version changes partway (0.47 resumed by 0.171)', () => {
  test('the layout is told again when the lines change shape: no false cache breaks', async () => {
    const { turns, events } = await build([{ file: RESUMED_0171 }]);
    expect(turns.map(usageOf)).toEqual([
      [5780, 0, 2],
      [5795, 5780, 2],
      [8168, 0, 21],
      [8228, 8168, 29],
      [8342, 8228, 21],
    ]);
    // turns 4 and 5 reuse all but the newest items: each extends the one before
    expect(turns.slice(3).map((t) => t.prefix.extends_previous)).toEqual([true, true]);
    expect(turns.slice(3).map((t) => t.cache_class)).toEqual(['hit', 'hit']);
    const breaks = events.filter((e) => e.type === 'cache_break').map((e) => e.turn);
    expect(breaks).not.toContain(4);
    expect(breaks).not.toContain(5);
  });
});

describe('usage that cannot be', () => {
  test('a request with more cached than input tokens is never recorded so: cached is unknown, with a warning', async () => {
    // the second request's report (its total and its last usage) made to say 5900 cached of 5795
    const log = readFileSync(RESUMED_047, 'utf8').replaceAll(
      '"input_tokens":5795,"cached_input_tokens":5780',
      '"input_tokens":5795,"cached_input_tokens":5900',
    );
    const file = join(mkdtempSync(join(tmpdir(), 'tb-codex-')), FILE);
    writeFileSync(file, log);
    const { turns, warnings } = await build([{ file }]);
    expect(turns.map(usageOf)).toEqual([
      [5780, 0, 2],
      [5795, null, 2],
    ]);
    expect(turns.every((t) => t.cached_tokens === null || t.cached_tokens <= t.input_tokens)).toBe(true);
    expect(warnings).toEqual([
      `${file}:15: 5900 cached of 5795 input tokens is impossible; cached tokens recorded as unknown`,
    ]);
  });
});
