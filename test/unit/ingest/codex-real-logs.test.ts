import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { countO200kTokens, fingerprintItems, renderedResponsesItem } from '../../../src/telemetry/index.js';
import { build, drops, fixture, lastTotalTokenUsage, requestsOf, sumTurns } from './helpers.js';

/** Logs written by the real Codex CLI 0.171.0 against the sim (see test/fixtures/codex/README.md). */
const RESUME = fixture('v0.171', 'resume-effort-model.jsonl');
const PARALLEL = fixture('v0.171', 'parallel-calls.jsonl');
const COMPACTION = fixture('v0.171', 'inline-compaction.jsonl');
const TRIGGER = fixture('v0.171', 'trigger-websocket.jsonl');

/** What the recording proxy saw of the TRIGGER session, request by request. */
interface ProxiedTurn {
  turn: number;
  kind: string;
  response_id: string;
  input_tokens: number;
  cached_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
}

interface CapturedRequest {
  model: string;
  reasoning: { effort: string } | null;
  input: object[];
}

describe('Codex 0.171 rollouts (real)', () => {
  test.each([
    ['resume, effort change, model switch', RESUME, 'resume-effort-model.requests.json'],
    ['parallel tool calls', PARALLEL, 'parallel-calls.requests.json'],
  ])('%s: each request is rebuilt item for item as Codex sent it', async (_name, file, captured) => {
    // captured without the leading base-instructions message (see the fixtures' README)
    const sent = JSON.parse(readFileSync(fixture('v0.171', captured), 'utf8')) as CapturedRequest[];
    const requests = await requestsOf(file);
    expect(requests).toHaveLength(sent.length);
    requests.forEach((request, i) => {
      const body = sent[i]!;
      expect(request.model).toBe(body.model);
      expect(request.effort).toBe(body.reasoning?.effort ?? null);
      expect(request.itemCount).toBe(body.input.length + 1);
      const expected = fingerprintItems(body.input.map(renderedResponsesItem), countO200kTokens).hashes;
      expect(request.prompt?.fingerprint.itemHashes.slice(1)).toEqual(expected);
      expect(request.prompt?.fingerprint.itemDigests[0]?.label).toBe('message/developer');
    });
  });

  test.each([RESUME, PARALLEL, COMPACTION, TRIGGER])(
    'per-session totals equal the last total_token_usage: %s',
    async (file) => {
      const { turns, samples } = await build([{ file }]);
      const expected = lastTotalTokenUsage(file);
      expect(sumTurns(turns)).toEqual(expected);
      expect(samples).toHaveLength(1);
      const s = samples[0]!;
      expect([
        s.input_tokens,
        s.cached_tokens,
        s.cache_write_tokens,
        s.output_tokens,
        s.reasoning_tokens,
      ]).toEqual([expected.input, expected.cached, expected.cacheWrite, expected.output, expected.reasoning]);
    },
  );

  test('the effort change and the model switch break the prefix, with their cost', async () => {
    const { turns, events, samples } = await build([{ file: RESUME }]);
    expect(turns.map((t) => t.prefix.reason)).toEqual([
      null,
      null,
      null,
      null,
      'settings_changed',
      'model_changed',
    ]);
    expect(
      turns.slice(1, 4).every((t) => t.prefix.extends_previous === true && t.cache_class === 'hit'),
    ).toBe(true);
    expect(turns[4]!.prefix.detail).toContain('reasoningEffort low → high');
    expect(turns[5]!.prefix.detail).toContain('model sim-exact → sim-1');
    const breaks = events.filter((e) => e.type === 'cache_break');
    expect(breaks.map((e) => e.type === 'cache_break' && e.reason)).toEqual([
      'settings_changed',
      'model_changed',
    ]);
    for (const e of breaks) if (e.type === 'cache_break') expect(e.cost_usd).toBeGreaterThan(0);
    expect(samples[0]!.cache_breaks).toBe(2);
    expect(samples[0]!.tags).toEqual(expect.arrayContaining(['codex:0.171.0', 'effort:high', 'model:sim-1']));
    for (const t of drops(turns)) expect(t.prefix.reason).not.toBeNull();
  });

  test('inline compactions: the summary requests are turns of their own, the history is replaced, repeats count once', async () => {
    const { turns, events } = await build([{ file: COMPACTION }]);
    expect(turns.map((t) => t.kind)).toEqual([
      'agent',
      'agent',
      'summary',
      'agent',
      'summary',
      'agent',
      'summary',
      'agent',
      'summary',
      'agent',
    ]);
    const compactions = events.filter((e) => e.type === 'compaction');
    expect(compactions).toHaveLength(4);
    const first = compactions[0]!;
    if (first.type !== 'compaction') throw new Error('unreachable');
    // before: the last agent request's context; after: Codex's own estimate right after compacting
    expect(first).toMatchObject({ method: 'summary', turn: 3, tokens_before: 8160, tokens_after: 6057 });
    // the replacement history's four items behind the base instructions item
    expect(first).toMatchObject({ items_after: 5, input_tokens: 4510, output_tokens: 36 });
    const afterCompaction = turns.filter((t) => t.after_compaction);
    expect(afterCompaction.map((t) => t.turn)).toEqual([4, 6, 8, 10]);
    for (const t of afterCompaction) expect(t.prefix.reason).toBe('compacted');
    // the rebuilt request after a compaction: the base instructions item, then the replacement history (four items)
    expect(afterCompaction.map((t) => t.item_count)).toEqual([5, 5, 5, 5]);
    expect(turns.filter((t) => t.kind === 'summary').every((t) => t.cache_class === 'not_checked')).toBe(
      true,
    );
    for (const t of drops(turns)) expect(t.prefix.reason).not.toBeNull();
  });

  test('a field the log cannot give is null, never 0', async () => {
    const { turns } = await build([{ file: PARALLEL }]);
    for (const t of turns) {
      expect(t.bytes_sent).toBeNull();
      expect(t.retries).toBeNull();
      expect(t.ttft_ms).toBeNull();
      expect(t.tools_hash).toBe('');
      expect(t.latency_ms).toBeGreaterThan(0);
      expect(t.response_id).toMatch(/^resp_/);
    }
    expect(turns.map((t) => t.tool_calls)).toEqual([2, 1, 0]);
  });

  test('compaction_trigger over WebSocket: one turn per request the proxy saw, by response id, the compaction requests labelled', async () => {
    const proxied = JSON.parse(
      readFileSync(fixture('v0.171', 'trigger-websocket.proxy.json'), 'utf8'),
    ) as ProxiedTurn[];
    const { turns, events, warnings } = await build([{ file: TRIGGER }]);
    expect(warnings).toEqual([]);
    // Codex logs no usage for its WebSocket warm-up (generate: false): every other request is there
    const logged = proxied.filter((p) => p.kind !== 'warmup');
    expect(proxied.length - logged.length).toBe(1);
    const figures = (t: {
      kind: string;
      response_id: string | null;
      input_tokens: number;
      cached_tokens: number | null;
      output_tokens: number;
      reasoning_tokens: number | null;
    }) => [t.kind, t.response_id, t.input_tokens, t.cached_tokens, t.output_tokens, t.reasoning_tokens];
    expect(turns.map(figures)).toEqual(logged.map(figures));
    const compactions = events.flatMap((e) => (e.type === 'compaction' ? [e] : []));
    expect(compactions.map((c) => [c.method, c.turn, c.input_tokens])).toEqual([
      ['trigger', 4, 14839],
      ['trigger', 8, 13872],
    ]);
    expect(turns.filter((t) => t.after_compaction).map((t) => [t.turn, t.prefix.reason])).toEqual([
      [5, 'compacted'],
      [9, 'compacted'],
    ]);
    for (const t of drops(turns)) expect(t.prefix.reason).not.toBeNull();
  });

  test('token_count disagreeing with the record before it is a warning; the record is counted', async () => {
    const lines = readFileSync(TRIGGER, 'utf8').split('\n');
    // the first request's token_count (its running total still agrees), its last usage altered
    const at = lines.findIndex((l) => l.includes('"token_count"') && l.includes('"input_tokens":8084'));
    lines[at] = lines[at]!.replace(
      '"last_token_usage":{"input_tokens":8084',
      '"last_token_usage":{"input_tokens":8000',
    );
    const dir = mkdtempSync(join(tmpdir(), 'tb-ingest-'));
    const file = join(dir, 'altered.jsonl');
    writeFileSync(file, lines.join('\n'));
    const { turns, warnings } = await build([{ file }]);
    expect(turns[0]!.input_tokens).toBe(8084);
    expect(turns).toHaveLength(11);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`altered.jsonl:${at + 1}: token_count says input 8000`);
  });
});
