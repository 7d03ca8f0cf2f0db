import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { PlainLineSchema, parseTimeRange } from '../../../src/ingest/index.js';
import { build, fixture } from './helpers.js';

const V046 = fixture('v0.46', 'rollout-2025-10-29T00-59-38-019a2d7a-41c4-78b1-b7cc-a45d62a89cd5.jsonl');
const RESUME = fixture('v0.171', 'resume-effort-model.jsonl');

function plainFile(lines: unknown[], raw: string[] = []): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tb-plain-')), 'sessions.jsonl');
  writeFileSync(file, `${[...lines.map((l) => JSON.stringify(l)), ...raw].join('\n')}\n`);
  return file;
}

const tool = (name: string) => ({
  type: 'function',
  name,
  parameters: { type: 'object', properties: {} },
  strict: false,
});
const task = { role: 'user', content: 'Count the lines of a.txt.' };
const call = { type: 'function_call', call_id: 'c1', name: 'shell', arguments: '{"cmd":"wc -l a.txt"}' };
const callOutput = { type: 'function_call_output', call_id: 'c1', output: '12 a.txt' };

describe('the plain format', () => {
  test('with the prompt in each line: the same prefix check as a live run, with a diff of the first break', async () => {
    const at = (s: number) => new Date(Date.parse('2026-04-01T12:00:00Z') + s * 1000).toISOString();
    const request = (tools: string[], input: unknown[]) => ({
      instructions: 'Be brief.',
      tools: tools.map(tool),
      input,
    });
    const file = plainFile([
      {
        timestamp: at(0),
        session: 'p1',
        agent: 'my-agent',
        model: 'gpt-5-mini',
        latency_ms: 900,
        usage: { input_tokens: 1500, cached_tokens: 0, output_tokens: 20 },
        request: request(['shell', 'read_file'], [task]),
        output: [{ ...call, id: 'fc_1', status: 'completed' }],
      },
      {
        timestamp: at(2),
        session: 'p1',
        agent: 'my-agent',
        model: 'gpt-5-mini',
        usage: { input_tokens: 1600, cached_tokens: 1408, output_tokens: 10 },
        request: request(['shell', 'read_file'], [task, call, callOutput]),
      },
      {
        timestamp: at(4),
        session: 'p1',
        agent: 'my-agent',
        model: 'gpt-5-mini',
        usage: { input_tokens: 1700, cached_tokens: 0, output_tokens: 10 },
        request: request(
          ['read_file', 'shell'],
          [task, call, callOutput, { role: 'user', content: 'and b.txt?' }],
        ),
      },
      {
        type: 'compaction',
        timestamp: at(5),
        session: 'p1',
        agent: 'my-agent',
        tokens_before: 1710,
        tokens_after: 300,
      },
      {
        timestamp: at(6),
        session: 'p1',
        agent: 'my-agent',
        model: 'gpt-5-mini',
        usage: { input_tokens: 1100, output_tokens: 5 },
      },
      { timestamp: at(1), session: 'p1', agent: 'my-agent', model: 'gpt-5-mini' },
    ]);
    const { turns, events, samples, warnings } = await build([{ file, format: 'plain' }]);
    expect(warnings).toEqual([
      `${file}:6: field usage: Invalid input: expected object, received undefined; line skipped`,
    ]);
    expect(turns.map((t) => t.prefix.extends_previous)).toEqual([null, true, false, false]);
    expect(turns[2]!.prefix).toMatchObject({ reason: 'tools_reordered', diverged_at: 'tools' });
    expect(turns[0]).toMatchObject({ latency_ms: 900, item_count: 1, variant: 'my-agent', tool_calls: 1 });
    expect(turns[0]!.tools_hash).not.toBe('');
    expect(turns[3]).toMatchObject({ after_compaction: true, cached_tokens: null, cache_class: 'unknown' });
    const breaks = events.flatMap((e) => (e.type === 'cache_break' ? [e] : []));
    expect(breaks).toHaveLength(1);
    expect(breaks[0]!.diff).toContain('tools');
    expect(events.filter((e) => e.type === 'compaction')).toHaveLength(1);
    expect(samples).toMatchObject([
      { sample_id: 'p1', variant: 'my-agent', turns: 4, compactions: 1, cached_tokens: null },
    ]);
  });

  test('the schema: a line without type is a request; bad lines name the field', () => {
    const ok = PlainLineSchema.safeParse({
      timestamp: '2026-04-01T12:00:00Z',
      session: 's',
      model: 'm',
      usage: { input_tokens: 1, output_tokens: 1 },
    });
    expect(ok.success && ok.data.type).toBe('request');
    const bad = PlainLineSchema.safeParse({ timestamp: 'yesterday', session: 's', model: 'm', usage: {} });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['timestamp', 'usage.input_tokens']),
    );
  });
});

describe('--group-by and --since/--until', () => {
  test('task, day and model groupings partition the same requests', async () => {
    const bySession = await build([{ file: V046 }]);
    const total = bySession.turns.reduce((n, t) => n + t.input_tokens, 0);
    for (const groupBy of ['task', 'day', 'model'] as const) {
      const { samples, turns } = await build([{ file: V046 }], { groupBy });
      expect(samples.reduce((n, s) => n + s.input_tokens, 0)).toBe(total);
      expect(turns).toHaveLength(7);
      // turn numbers restart in each sample
      for (const s of samples) {
        expect(turns.filter((t) => t.sample_id === s.sample_id).map((t) => t.turn)).toEqual(
          Array.from({ length: s.turns }, (_, i) => i + 1),
        );
      }
      if (groupBy === 'task') expect(samples.map((s) => s.turns)).toEqual([3, 1, 1, 1, 1]);
      if (groupBy === 'day') expect(samples.map((s) => s.sample_id)).toEqual(['codex/2025-10-29']);
      if (groupBy === 'model') {
        expect(samples.map((s) => [s.task_id, s.turns])).toEqual([
          ['gpt-5-codex', 5],
          ['gpt-5', 2],
        ]);
      }
    }
  });

  test('several sessions by day: one sample per day across files', async () => {
    const { samples } = await build([{ file: V046 }, { file: RESUME }], { groupBy: 'day' });
    expect(samples.map((s) => s.sample_id).sort()).toEqual(['codex/2025-10-29', 'codex/2026-12-01']);
  });

  test('only requests inside the range are recorded; the forensics still see the whole session', async () => {
    const range = parseTimeRange('2025-10-29T02:00:00Z', '2025-10-29');
    const { turns, samples } = await build([{ file: V046 }], { range });
    expect(turns).toHaveLength(4);
    expect(turns[0]!.prefix.reason).toBe('ttl_expired'); // checked against the request before the range
    expect(samples[0]!.turns).toBe(4);
  });

  test('time ranges: days are whole UTC days, both ends included; bad input names the flag', () => {
    expect(parseTimeRange('2026-05-01', '2026-05-07')).toEqual({
      from: Date.parse('2026-05-01T00:00:00Z'),
      to: Date.parse('2026-05-08T00:00:00Z'),
    });
    expect(() => parseTimeRange('last week')).toThrow(/--since: "last week" is not a date/);
    expect(() => parseTimeRange('2026-05-07', '2026-05-01')).toThrow(
      /--since 2026-05-07 is not before --until/,
    );
  });

  test('the same session read twice (a copied file) is ingested once', async () => {
    const { samples, warnings } = await build([{ file: V046 }, { file: V046 }]);
    expect(samples).toHaveLength(1);
    expect(warnings).toEqual([expect.stringMatching(/was already read from .*; this copy is skipped/)]);
  });
});
