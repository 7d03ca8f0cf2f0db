import { describe, expect, it } from 'vitest';
import { emptyTotals } from '../../../src/agent/index.js';
import { SampleRecorder } from '../../../src/agents/index.js';
import type { ObservedResponse } from '../../../src/agents/proxy/response-tap.js';
import type { Exchange } from '../../../src/agents/proxy/sample-recorder.js';
import { DEFAULT_LIMITS } from '../../../src/config/index.js';
import type { NormalisedUsage } from '../../../src/model/index.js';
import type { EventRecord, TurnRecord } from '../../../src/telemetry/index.js';

const user = (text: string) => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });
const call = (id: string) => ({
  type: 'function_call',
  call_id: id,
  name: 'exec_command',
  arguments: `{"cmd":"${id}"}`,
});
const output = (id: string) => ({ type: 'function_call_output', call_id: id, output: `ran ${id}` });
const tools = [{ type: 'function', name: 'exec_command', parameters: {} }];
const long = 'x '.repeat(3000);

function setup(limits = DEFAULT_LIMITS, costOf: (model: string, usage: NormalisedUsage) => number = () => 0) {
  const turns: TurnRecord[] = [];
  const events: EventRecord[] = [];
  const totals = emptyTotals();
  const stopped: string[] = [];
  const recorder = new SampleRecorder({
    identity: { runId: 'r', sampleId: 's', taskId: 't', variant: 'v', epoch: 1 },
    provider: 'sim',
    costOf,
    sink: { turn: (t) => turns.push(t), event: (e) => events.push(e) },
    totals,
    limits,
    onLimit: (reason) => stopped.push(reason),
  });
  let n = 0;
  const send = (
    body: object | string,
    answer: Partial<ObservedResponse> & { input: number; cached: number },
    headers = {},
  ) => {
    const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const admission = recorder.admit(performance.now(), bytes.length);
    if (!admission.ok) return admission;
    n += 1;
    const response: ObservedResponse = {
      id: `resp_${n}`,
      model: 'sim-1',
      usage: answer.usage ?? {
        inputTokens: answer.input,
        cachedTokens: answer.cached,
        cacheWriteTokens: 0,
        cacheWrite12hTokens: null,
        outputTokens: 10,
        reasoningTokens: 0,
      },
      output: answer.output ?? [],
      toolCalls: (answer.output ?? []).filter((i) => (i as { type: string }).type === 'function_call').length,
      diagnostics: null,
      incompleteReason: null,
      error: null,
    };
    recorder.finish(
      admission.exchange as Exchange,
      { source: 'responses', encoding: null, body: bytes, headers },
      { status: 200, response: { kind: 'parsed', response }, error: null, ttftMs: 1, latencyMs: 2 },
    );
    return admission;
  };
  /** A failed attempt: an error status, or a stream cut (after response.created when `responseId`). */
  const fail = (
    body: object,
    how: { status: number | null; error: string; responseId?: string },
    headers = {},
  ) => {
    const bytes = Buffer.from(JSON.stringify(body));
    const admission = recorder.admit(performance.now(), bytes.length);
    if (!admission.ok) throw new Error('refused');
    const response: ObservedResponse | null = how.responseId
      ? {
          id: how.responseId,
          model: null,
          usage: null,
          output: [],
          toolCalls: 0,
          diagnostics: null,
          incompleteReason: null,
          error: 'the stream ended before response.completed',
        }
      : null;
    recorder.finish(
      admission.exchange,
      { source: 'responses', encoding: null, body: bytes, headers },
      {
        status: how.status,
        response: response ? { kind: 'parsed', response } : null,
        error: how.error,
        ttftMs: null,
        latencyMs: 3,
      },
    );
  };
  return { recorder, turns, events, totals, stopped, send, fail };
}

describe('the recorder of an observed agent', () => {
  it("keeps the 12-hour part of the upstream's cache writes on the turn and prices the usage with it", () => {
    const priced: (number | null)[] = [];
    const { turns, send } = setup(DEFAULT_LIMITS, (_model, usage) => {
      priced.push(usage.cacheWrite12hTokens);
      return 0.5;
    });
    const usage = (writes: number, twelve: number | null) => ({
      inputTokens: 3000,
      cachedTokens: 3000 - writes,
      cacheWriteTokens: writes,
      cacheWrite12hTokens: twelve,
      outputTokens: 10,
      reasoningTokens: 0,
    });
    send(
      { model: 'sim-1', input: [user(long)], tools },
      { input: 3000, cached: 0, usage: usage(3000, 2000) },
    );
    send(
      { model: 'sim-1', input: [user(long), user('b')], tools },
      { input: 3000, cached: 0, usage: usage(100, null) },
    );
    expect(turns.map((t) => [t.cache_write_tokens, t.cache_write_12h_tokens, t.cost_usd])).toEqual([
      [3000, 2000, 0.5],
      [100, null, 0.5],
    ]);
    expect(priced).toEqual([2000, null]);
  });

  it('notes a request it fails to record, and records the next one as usual', () => {
    let pricings = 0;
    const { turns, events, send } = setup(DEFAULT_LIMITS, () => {
      if (++pricings === 1) throw new Error('boom');
      return 0;
    });
    send({ model: 'sim-1', input: [user('a')], tools }, { input: 100, cached: 0 });
    send({ model: 'sim-1', input: [user('a'), user('b')], tools }, { input: 120, cached: 0 });
    expect(events.map((e) => ('message' in e ? e.message : e.type))).toEqual(['not recorded: boom']);
    expect(turns.map((t) => t.turn)).toEqual([2]);
  });

  it('records a request whose tool schema nests 100,000 deep (past what recursion can follow)', () => {
    const { turns, events, send } = setup();
    // written as text: JSON.stringify itself recurses, and overflows at this depth
    const deep = `${'{"x":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    const body = (input: object[]) =>
      `{"model":"sim-1","input":${JSON.stringify(input)},"tools":[{"type":"function","name":"deep","parameters":${deep}}]}`;
    send(body([user('a')]), { input: 100, cached: 0 });
    send(body([user('a'), user('b')]), { input: 120, cached: 100 });
    expect(events).toEqual([]);
    expect(turns.map((t) => [t.turn, t.prefix.extends_previous])).toEqual([
      [1, null],
      [2, true],
    ]);
  });

  it('checks each request against the last of its conversation, the agent resending output its own way', () => {
    const { turns, totals, send } = setup();
    const head = [user(long), user('task')];
    send(
      { model: 'sim-1', input: head, tools },
      { input: 3000, cached: 0, output: [{ ...call('a'), id: 'fc_1', status: 'completed' }] },
    );
    // resent with bookkeeping of the agent's own (as Codex does): still an exact extension
    const resent = {
      ...call('a'),
      status: 'completed',
      id: 'fc_1',
      internal_chat_message_metadata_passthrough: { turn_id: 't' },
    };
    send(
      { model: 'sim-1', input: [...head, resent, output('a')], tools },
      { input: 3050, cached: 2944, output: [call('b')] },
    );
    // a conversation header no earlier request had: another conversation, its first turn
    send({ model: 'sim-1', input: head, tools }, { input: 3000, cached: 2944 }, { 'session-id': 'other' });
    expect(turns.map((t) => [t.turn, t.cache_class, t.prefix.extends_previous])).toEqual([
      [1, 'first_turn', null],
      [2, 'hit', true],
      [3, 'first_turn', null],
    ]);
    expect(turns[2]!.conversation).toBe('other');
    expect(turns[1]!.conversation).toBe(turns[0]!.conversation);
    expect(totals.toolCalls).toBe(2);
  });

  it('a compaction request is checked against the last turn without becoming it; its event waits for the next turn', () => {
    const { turns, events, totals, send } = setup();
    const h = { 'thread-id': 'th' };
    const head = [user(long), user('task')];
    send({ model: 'sim-1', input: head, tools }, { input: 3000, cached: 0, output: [call('a')] }, h);
    const history = [...head, call('a'), output('a')];
    // Codex's inline compaction: the history with a summary request, and no tools
    send(
      {
        model: 'sim-1',
        input: [...history, user('You are performing a CONTEXT CHECKPOINT COMPACTION.')],
        tools: [],
      },
      { input: 3100, cached: 0 },
      h,
    );
    send(
      { model: 'sim-1', input: [...head, user('Summary: ran a')], tools },
      { input: 1500, cached: 1408 },
      h,
    );
    expect(turns.map((t) => [t.kind, t.prefix.reason, t.cache_class, t.after_compaction])).toEqual([
      ['agent', null, 'first_turn', false],
      ['summary', 'tools_changed', 'harness_break', false],
      ['agent', 'compacted', 'hit', true],
    ]);
    const compaction = events.find((e) => e.type === 'compaction');
    expect(compaction).toMatchObject({
      method: 'summary',
      turn: 3,
      tokens_before: 3000,
      tokens_after: 1500,
      input_tokens: 3100,
    });
    expect(totals).toMatchObject({ turns: 3, compactions: 1, cacheBreaks: 1 });
    expect(events.find((e) => e.type === 'cache_break')).toMatchObject({ turn: 2, reason: 'tools_changed' });
  });

  it('restores the prompt of a request chained with previous_response_id', () => {
    const { turns, send } = setup();
    const head = [user(long), user('task')];
    send({ model: 'sim-1', input: head, tools }, { input: 3000, cached: 0, output: [call('a')] });
    send(
      { model: 'sim-1', input: [output('a')], tools, previous_response_id: 'resp_1' },
      { input: 3050, cached: 2944 },
    );
    expect(turns[1]).toMatchObject({ item_count: 4, prefix: { extends_previous: true }, cache_class: 'hit' });
    expect(turns[1]!.conversation).toBe(turns[0]!.conversation);
  });

  it('refuses the request past a limit and says so once', () => {
    const { send, stopped, turns } = setup({ ...DEFAULT_LIMITS, max_turns: 1 });
    send({ model: 'sim-1', input: [user('a')], tools }, { input: 10, cached: 0, output: [call('a')] });
    const refused = send(
      { model: 'sim-1', input: [user('a'), call('a'), output('a')], tools },
      { input: 20, cached: 0 },
    );
    expect(refused).toMatchObject({ ok: false, reason: 'max_turns' });
    send({ model: 'sim-1', input: [user('a'), call('a'), output('a')], tools }, { input: 20, cached: 0 });
    expect(stopped).toEqual(['max_turns']);
    expect(turns).toHaveLength(1);
  });

  it('a failed request is an error event; the same body sent again counts as a retry', () => {
    const { recorder, events, turns, send } = setup();
    const body = { model: 'sim-1', input: [user('a')], tools };
    const bytes = Buffer.from(JSON.stringify(body));
    const first = recorder.admit(performance.now(), bytes.length);
    if (!first.ok) throw new Error('refused');
    recorder.finish(
      first.exchange,
      { source: 'responses', encoding: null, body: bytes, headers: {} },
      {
        status: 429,
        response: null,
        error: 'HTTP 429: slow down',
        ttftMs: null,
        latencyMs: 5,
      },
    );
    send(body, { input: 10, cached: 0 });
    expect(events.map((e) => e.type)).toEqual(['error', 'retry']);
    expect(events[1]).toMatchObject({ attempt: 1, status: 429 });
    expect(turns.map((t) => [t.turn, t.retries])).toEqual([[1, 1]]);
  });

  describe("Codex's retries (request shapes from captures of Codex 0.171 against the sim with faults)", () => {
    const h = { 'thread-id': 'th' };
    const reasoning = (n: number) => ({
      type: 'reasoning',
      id: `rs_${n}`,
      summary: [],
      encrypted_content: `simr1.${n}`,
    });
    const codexCall = (id: string, n: number) => ({ ...call(id), id: `fc_${n}`, status: 'completed' });
    const head = [user(long), user('task')];
    const http500 = { status: 500, error: 'HTTP 500: {"error":{"type":"server_error"}}' };
    const cut = (responseId: string) => ({
      status: 200,
      error: 'the answer was cut: the provider closed the connection',
      responseId,
    });
    const wsError = {
      status: null,
      error: 'The server had an error while processing your request (simulated)',
    };
    const wsClosed = { status: null, error: 'the WebSocket connection closed before the response ended' };

    it('over HTTP: 500, 500, a cut, then the body again with the reasoning item the cut answer had sent whole', () => {
      const { events, turns, send, fail } = setup();
      send(
        { model: 'gpt-5.5', input: head, tools },
        { input: 3000, cached: 0, output: [reasoning(1), call('a')] },
        h,
      );
      const history = [...head, reasoning(1), codexCall('a', 1), output('a')];
      const body = { model: 'gpt-5.5', input: history, tools };
      fail(body, http500, h);
      fail(body, http500, h);
      fail(body, cut('resp_cut'), h);
      // tap6/019-020: the cut answer's `reasoning` item (output_item.done) is resent after the history
      send({ model: 'gpt-5.5', input: [...history, reasoning(9)], tools }, { input: 3100, cached: 2944 }, h);
      expect(events.map((e) => [e.type, 'attempt' in e ? e.attempt : null])).toEqual([
        ['error', null],
        ['retry', 1],
        ['error', null],
        ['retry', 2],
        ['error', null],
        ['retry', 3],
      ]);
      expect(events.filter((e) => e.type === 'retry').map((e) => e.turn)).toEqual([2, 2, 2]);
      expect(turns.map((t) => [t.turn, t.retries, t.cache_class])).toEqual([
        [1, 0, 'first_turn'],
        [2, 3, 'hit'],
      ]);
    });

    it('over WebSocket: a chained attempt fails; Codex reconnects and sends the whole history unchained', () => {
      const { events, turns, send, fail } = setup();
      send(
        { model: 'gpt-5.5', input: head, tools },
        { input: 3000, cached: 0, output: [reasoning(1), call('a')] },
        h,
      );
      send(
        { model: 'gpt-5.5', input: [output('a')], tools, previous_response_id: 'resp_1' },
        { input: 3050, cached: 2944, output: [reasoning(2), call('b')] },
        h,
      );
      // wstap9/ws-2..4: an `error` event on the chained delta, then a cut with nothing sent
      fail({ model: 'gpt-5.5', input: [output('b')], tools, previous_response_id: 'resp_2' }, wsError, h);
      const full = [
        ...head,
        reasoning(1),
        codexCall('a', 1),
        output('a'),
        reasoning(2),
        codexCall('b', 2),
        output('b'),
      ];
      fail({ model: 'gpt-5.5', input: full, tools, previous_response_id: null }, wsClosed, h);
      send(
        { model: 'gpt-5.5', input: full, tools, previous_response_id: null },
        { input: 3100, cached: 3072 },
        h,
      );
      expect(events.map((e) => [e.type, 'attempt' in e ? e.attempt : null])).toEqual([
        ['error', null],
        ['retry', 1],
        ['error', null],
        ['retry', 2],
      ]);
      expect(turns.map((t) => [t.turn, t.retries, t.prefix.extends_previous])).toEqual([
        [1, 0, null],
        [2, 0, true],
        [3, 2, true],
      ]);
    });

    it('a request that moved the conversation on is no retry, and the next failure counts from one again', () => {
      const { events, turns, send, fail } = setup();
      fail({ model: 'gpt-5.5', input: [user('warm')], tools, generate: false }, wsError, h);
      // the first turn after a failed warm-up: new items of the agent's, so no retry of it
      send(
        { model: 'gpt-5.5', input: [user('warm'), ...head], tools },
        { input: 3000, cached: 0, output: [call('a')] },
        h,
      );
      const history = [user('warm'), ...head, codexCall('a', 1), output('a')];
      fail({ model: 'gpt-5.5', input: history, tools }, http500, h);
      send(
        { model: 'gpt-5.5', input: history, tools },
        { input: 3050, cached: 2944, output: [call('b')] },
        h,
      );
      const next = [...history, codexCall('b', 2), output('b')];
      fail({ model: 'gpt-5.5', input: next, tools }, http500, h);
      send({ model: 'gpt-5.5', input: next, tools }, { input: 3100, cached: 3072 }, h);
      expect(
        events.filter((e) => e.type === 'retry').map((e) => [e.turn, 'attempt' in e ? e.attempt : null]),
      ).toEqual([
        [2, 1],
        [3, 1],
      ]);
      expect(turns.map((t) => t.retries)).toEqual([0, 1, 1]);
    });

    it('a retried summary request: the cut attempt cached its prompt, so the retry is expected to hit it', () => {
      const { turns, send, fail } = setup();
      send({ model: 'gpt-5.5', input: head, tools }, { input: 3000, cached: 0, output: [call('a')] }, h);
      const summary = {
        model: 'gpt-5.5',
        input: [
          ...head,
          codexCall('a', 1),
          output('a'),
          user('You are performing a CONTEXT CHECKPOINT COMPACTION.'),
        ],
        tools: [],
      };
      // faults2 log-triage__fhttp__e1 turn 4: 12416 of 12512 cached after a cut summary attempt
      fail(summary, cut('resp_cut'), h);
      send(summary, { input: 3100, cached: 3072 }, h);
      const retried = turns[1]!;
      expect(retried).toMatchObject({ kind: 'summary', retries: 1, cached_tokens: 3072 });
      // the layout still broke against the last turn (tools: []), and is reported so
      expect(retried.prefix).toMatchObject({ extends_previous: false, reason: 'tools_changed' });
      expect(retried.cache_class).toBe('harness_break');
      expect(retried.expected_cached_tokens).toBeGreaterThanOrEqual(2944);
    });

    it('a summary retried with the reasoning of its cut answer after the prompt is still the summary', () => {
      const { turns, send, fail } = setup();
      send({ model: 'gpt-5.5', input: head, tools }, { input: 3000, cached: 0, output: [call('a')] }, h);
      const input = [
        ...head,
        codexCall('a', 1),
        output('a'),
        user('You are performing a CONTEXT CHECKPOINT COMPACTION.'),
      ];
      fail({ model: 'gpt-5.5', input, tools: [] }, cut('resp_cut'), h);
      send(
        { model: 'gpt-5.5', input: [...input, reasoning(7)], tools: [] },
        { input: 3150, cached: 3072 },
        h,
      );
      expect(turns.map((t) => [t.kind, t.retries])).toEqual([
        ['agent', 0],
        ['summary', 1],
      ]);
    });
  });
});
