import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { build, drops, fixture, lastTotalTokenUsage, sumTurns } from './helpers.js';

const V046 = fixture('v0.46', 'rollout-2025-10-29T00-59-38-019a2d7a-41c4-78b1-b7cc-a45d62a89cd5.jsonl');
const V036 = fixture('v0.36', 'rollout-2025-09-20T10-00-00-0199612a-2f1e-7c53-9b0d-5d6a4f1e8c21.jsonl');
const FAILED = fixture(
  'v0.171-failed-requests',
  'rollout-2026-12-02T12-16-16-01a236af-2111-7293-bbd2-396495391ac6.jsonl',
);
const LEGACY = fixture('legacy', 'rollout-2025-07-01T10-00-00-5973b6c0-94b8-487b-a530-2aeb6098ae0e.jsonl');

describe('older Codex versions', () => {
  test('0.46: usage reported before the items; repeats once, an identical second request twice; every drop has a cause', async () => {
    const { turns, samples, warnings } = await build([{ file: V046 }]);
    expect(warnings).toEqual([]);
    expect(turns).toHaveLength(7);
    expect(sumTurns(turns)).toEqual(lastTotalTokenUsage(V046));
    // no cache_write_input_tokens before 0.145: unknown, not 0
    expect(turns.every((t) => t.cache_write_tokens === null)).toBe(true);
    expect(samples[0]!.cache_write_tokens).toBeNull();
    // the history is rebuilt though the items come after their usage report
    expect(turns.map((t) => t.item_count)).toEqual([2, 5, 7, 9, 11, 13, 15]);
    expect(turns.slice(1).map((t) => t.prefix.extends_previous)).toEqual([
      true,
      true,
      true,
      false,
      false,
      true,
    ]);
    expect(turns.map((t) => t.prefix.reason)).toEqual([
      null,
      null,
      'unexplained', // the second request with the same usage: cached less than the grown prompt allowed
      'ttl_expired', // two hours idle
      'settings_changed', // effort medium -> high
      'model_changed', // gpt-5-codex -> gpt-5
      'unexplained', // 30 s later, nothing changed, cached fell
    ]);
    expect(turns[3]!.prefix.detail).toMatch(/after 2h 00m idle/);
    expect(turns[6]!.prefix.detail).toMatch(/after 30s, within gpt-5's cache retention/);
    const dropped = drops(turns);
    expect(dropped.map((t) => t.turn)).toEqual([3, 4, 7]);
    for (const t of dropped) expect(t.prefix.reason).not.toBeNull();
    expect(samples[0]!.stop_reason).toBe('final');
    expect(samples[0]!.final_answer).toBe('You are welcome.');
  });

  test('0.36: a compaction without replacement history; afterwards the drops are told from the evidence', async () => {
    const { turns, events, warnings } = await build([{ file: V036 }]);
    expect(sumTurns(turns)).toEqual(lastTotalTokenUsage(V036));
    // the torn line is one warning naming file:line, the rest is read
    expect(warnings).toEqual([`${V036}:16: not valid JSON; line skipped`]);
    expect(turns.map((t) => t.kind)).toEqual(['agent', 'agent', 'summary', 'agent', 'agent']);
    const compactions = events.filter((e) => e.type === 'compaction');
    expect(compactions).toHaveLength(1); // `compacted` and `context_compacted` tell one compaction
    expect(compactions[0]).toMatchObject({
      method: 'summary',
      tokens_before: 2490,
      tokens_after: 1500,
      items_after: null,
    });
    const [, , , afterCompaction, next] = turns;
    expect(afterCompaction).toMatchObject({
      item_count: null,
      after_compaction: true,
      cache_class: 'unknown',
    });
    expect(afterCompaction!.prefix).toMatchObject({ reason: 'compacted', lost_tokens: 1920 });
    expect(next).toMatchObject({ item_count: null, cache_class: 'hit', expected_cached_tokens: 1408 });
    for (const t of drops(turns)) expect(t.prefix.reason).not.toBeNull();
  });

  test('a 0.171 session whose every request failed: no sample, and a warning that says so (not that the version is old)', async () => {
    // `codex exec "Say hello."` against a provider answering every request with an error
    const { turns, samples, events, warnings } = await build([{ file: FAILED }]);
    expect([turns, samples, events]).toEqual([[], [], []]);
    expect(warnings).toEqual([
      `${FAILED}: no completed model request in this log (1 task started, none with token usage: its requests failed or were cut off); nothing ingested`,
    ]);
  });

  test('the oldest rollouts (no envelope) hold no usage: nothing ingested, one warning', async () => {
    const { turns, samples, warnings } = await build([{ file: LEGACY }]);
    expect(turns).toEqual([]);
    expect(samples).toEqual([]);
    expect(warnings).toEqual([
      `${LEGACY}: no token usage in this log (rollouts of Codex before 0.3x recorded none); nothing ingested`,
    ]);
  });
});

/** Writes a rollout from lines: `[seconds after the start, type, payload]`. */
function rollout(lines: [number, string, unknown][], extra: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'tb-ingest-'));
  const file = join(dir, 'rollout-2026-03-01T09-00-00-0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee.jsonl');
  const start = Date.parse('2026-03-01T09:00:00Z');
  const text = lines.map(([s, type, payload]) =>
    JSON.stringify({ timestamp: new Date(start + s * 1000).toISOString(), type, payload }),
  );
  writeFileSync(file, `${[...text, ...extra].join('\n')}\n`);
  return file;
}

const usage = (input: number, cached: number, output: number) => ({
  input_tokens: input,
  cached_input_tokens: cached,
  cache_write_input_tokens: 0,
  output_tokens: output,
  reasoning_output_tokens: 0,
  total_tokens: input + output,
});

/** token_count events for a list of per-request usages, with the running total. */
function counts(at: number[], list: ReturnType<typeof usage>[]): [number, string, unknown][] {
  const total = usage(0, 0, 0);
  return list.map((u, i) => {
    for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += u[k];
    return [
      at[i]!,
      'event_msg',
      { type: 'token_count', info: { total_token_usage: { ...total }, last_token_usage: u } },
    ];
  });
}

describe('a log without the history (token counts and turn contexts only)', () => {
  test('model switch, effort change, a two-hour gap, an unexplained drop: each drop gets its cause and cost', async () => {
    const ctx = (model: string, effort: string) => ({ model, effort, cwd: '/w' });
    const c = counts(
      [10, 20, 7230, 7300, 7400, 7420],
      [
        usage(20_000, 0, 100),
        usage(21_000, 19_968, 100), // hit
        usage(22_000, 0, 100), // two hours later: expired
        usage(23_000, 0, 100), // effort changed
        usage(24_000, 0, 100), // model changed
        usage(25_000, 10_000, 100), // 20 s later, nothing changed: unexplained
      ],
    );
    const file = rollout([
      [0, 'session_meta', { id: '0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee', cli_version: '0.150.0', cwd: '/w' }],
      [0, 'turn_context', ctx('gpt-5.1-codex', 'medium')],
      [1, 'event_msg', { type: 'token_count', info: null, rate_limits: null }],
      c[0]!,
      c[1]!,
      [7200, 'turn_context', ctx('gpt-5.1-codex', 'medium')],
      c[2]!,
      [7290, 'turn_context', ctx('gpt-5.1-codex', 'high')],
      c[3]!,
      [7390, 'turn_context', ctx('gpt-5.2', 'high')],
      c[4]!,
      c[5]!,
      c[5]!, // repeated
    ]);
    const { turns, events, warnings } = await build([{ file }]);
    expect(warnings).toEqual([]);
    expect(sumTurns(turns)).toEqual(lastTotalTokenUsage(file));
    expect(turns.map((t) => t.prefix.reason)).toEqual([
      null,
      null,
      'ttl_expired',
      'settings_changed',
      'model_changed',
      'unexplained',
    ]);
    expect(turns.map((t) => t.cache_class)).toEqual([
      'first_turn',
      'hit',
      'provider_miss',
      'harness_break',
      'harness_break',
      'provider_miss',
    ]);
    expect(turns.every((t) => t.item_count === null && t.items_hash === '')).toBe(true);
    expect(turns[2]!.prefix.lost_tokens).toBe(20_992);
    const breaks = events.flatMap((e) => (e.type === 'cache_break' ? [e] : []));
    expect(breaks.map((b) => b.reason)).toEqual([
      'ttl_expired',
      'settings_changed',
      'model_changed',
      'unexplained',
    ]);
    // gpt-5.1 prices: (1.25 - 0.125) USD per million tokens lost
    expect(breaks[0]!.cost_usd).toBeCloseTo((20_992 * 1.125) / 1e6, 10);
    for (const t of drops(turns)) expect(t.prefix.reason).not.toBeNull();
  });

  test('unknown line types and fields are ignored; broken lines are one warning each; other threads are not counted', async () => {
    const c = counts([5, 9], [usage(3000, 0, 10), usage(3100, 2944, 10)]);
    const file = rollout(
      [
        [
          0,
          'session_meta',
          { id: '0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee', cli_version: '0.999.0', brand_new: { x: 1 } },
        ],
        [0, 'turn_context', { model: 'gpt-5', effort: null, something_new: true }],
        [1, 'hologram_state', { anything: 1 }],
        [2, 'event_msg', { type: 'brand_new_event', data: [1, 2] }],
        c[0]!,
        [
          6,
          'token_usage_record',
          { thread_id: 'another-thread', usage: usage(999, 0, 9), thread_token_usage: usage(999, 0, 9) },
        ],
        [7, 'event_msg', { type: 'token_count', info: { total_token_usage: 'not usage' } }],
        c[1]!,
      ],
      ['{"truncated":', '[1,2,3]'],
    );
    const { turns, warnings } = await build([{ file }]);
    expect(turns.map((t) => t.input_tokens)).toEqual([3000, 3100]);
    expect(turns[0]!.model).toBe('gpt-5');
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/:7: token_count info\.total_token_usage: .*; line skipped$/);
    expect(warnings[1]).toMatch(/:9: not valid JSON; line skipped$/);
    expect(warnings[2]).toMatch(/:10: not a JSON object; line skipped$/);
  });

  test('an unknown model: cost null with one warning, not a crash', async () => {
    const c = counts([5, 9], [usage(3000, 0, 10), usage(3100, 2944, 10)]);
    const file = rollout([[0, 'turn_context', { model: 'my-local-llm' }], c[0]!, c[1]!]);
    const { turns, samples, warnings } = await build([{ file }]);
    expect(turns.map((t) => t.cost_usd)).toEqual([null, null]);
    expect(samples[0]!.cost_usd).toBeNull();
    expect(warnings).toEqual([expect.stringMatching(/no price for model "my-local-llm"/)]);
  });
});

describe('line reading', () => {
  test('CRLF line ends and a byte-order mark are accepted', async () => {
    const c = counts([5], [usage(3000, 0, 10)]);
    const file = rollout([
      [0, 'session_meta', { id: 'bom-session', cli_version: '0.171.0' }],
      [0, 'turn_context', { model: 'gpt-5' }],
      c[0]!,
    ]);
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, `\uFEFF${text.replaceAll('\n', '\r\n')}`);
    const { turns, samples, warnings } = await build([{ file }]);
    expect(warnings).toEqual([]);
    expect(turns).toHaveLength(1);
    expect(samples[0]!.sample_id).toBe('bom-session');
  });
});
