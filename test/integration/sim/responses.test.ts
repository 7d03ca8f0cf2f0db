import OpenAI from 'openai';
import type {
  CompactedResponse,
  Response,
  ResponseCompletedEvent,
  ResponseFunctionToolCall,
  ResponseInputItem,
} from 'openai/resources/responses/responses';
import { afterEach, describe, expect, test } from 'vitest';
import type { SimServer } from '../../../src/sim/index.js';
import { appendTurn, collect, startSim, variedText } from './helpers.js';

const TASK = 'Create hello.txt containing the word hello, then report.';

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function withScript() {
  const s = await startSim({ seed: 7 });
  sim = s.sim;
  s.sim.scripts.register(TASK, {
    steps: [
      { shell: 'echo hello > hello.txt' },
      { tool: 'read_file', args: { path: 'hello.txt' }, say: 'Checking.' },
    ],
    final: 'hello.txt now contains hello.',
    reasoning_tokens: 12,
  });
  return s;
}

describe('POST /v1/responses', () => {
  test('non-streaming: typed Response with function call, usage and the script final message', async () => {
    const { client } = await withScript();
    const history: ResponseInputItem[] = [{ role: 'user', content: TASK }];
    const r1: Response = await client.responses.create({
      model: 'sim-1',
      instructions: 'You are a coding agent.',
      input: history,
      store: false,
    });
    expect(r1.object).toBe('response');
    expect(r1.status).toBe('completed');
    expect(r1.id).toMatch(/^resp_/);
    const call = r1.output[0] as ResponseFunctionToolCall;
    expect(call.type).toBe('function_call');
    expect(call.name).toBe('shell');
    expect(JSON.parse(call.arguments)).toEqual({ command: ['bash', '-lc', 'echo hello > hello.txt'] });
    expect(call.call_id).toMatch(/^call_s0_0_/);
    const usage = r1.usage;
    if (!usage) throw new Error('usage missing');
    expect(usage.input_tokens).toBeGreaterThan(10);
    expect(usage.output_tokens_details.reasoning_tokens).toBe(12);
    expect(usage.output_tokens).toBeGreaterThan(12);
    expect(usage.total_tokens).toBe(usage.input_tokens + usage.output_tokens);

    appendTurn(history, r1.output, () => 'ok');
    const r2 = await client.responses.create({ model: 'sim-1', input: history, store: false });
    expect(r2.output.map((o) => o.type)).toEqual(['message', 'function_call']);
    expect(r2.output_text).toBe('Checking.');
    appendTurn(history, r2.output, () => 'hello');
    const r3 = await client.responses.create({ model: 'sim-1', input: history, store: false });
    expect(r3.output_text).toBe('hello.txt now contains hello.');
    expect(r3.usage?.input_tokens).toBeGreaterThan(r2.usage?.input_tokens ?? 0);
  });

  test('streaming: the real event sequence with increasing sequence numbers', async () => {
    const { client } = await withScript();
    const history: ResponseInputItem[] = [{ role: 'user', content: TASK }];
    const events = await collect(
      await client.responses.create({ model: 'sim-1', input: history, stream: true }),
    );
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('response.created');
    expect(types[1]).toBe('response.in_progress');
    expect(types.at(-1)).toBe('response.completed');
    expect(types).toContain('response.function_call_arguments.delta');
    expect(types.indexOf('response.output_item.added')).toBeLessThan(
      types.indexOf('response.function_call_arguments.done'),
    );
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const completed = events.at(-1) as ResponseCompletedEvent;
    const call = completed.response.output[0] as ResponseFunctionToolCall;
    const deltas = events.flatMap((e) =>
      e.type === 'response.function_call_arguments.delta' ? [e.delta] : [],
    );
    expect(deltas.join('')).toBe(call.arguments);
    expect(completed.response.usage?.input_tokens).toBeGreaterThan(0);

    appendTurn(history, completed.response.output, () => 'ok');
    const second = await collect(
      await client.responses.create({ model: 'sim-1', input: history, stream: true }),
    );
    const textTypes = second.map((e) => e.type);
    expect(textTypes).toEqual(
      expect.arrayContaining([
        'response.content_part.added',
        'response.output_text.delta',
        'response.output_text.done',
        'response.content_part.done',
      ]),
    );
    const text = second.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : [])).join('');
    expect(text).toBe('Checking.');
  });

  test('previous_response_id mode: the server keeps the history and the script advances', async () => {
    const { client } = await withScript();
    const r1 = await client.responses.create({ model: 'sim-1', input: [{ role: 'user', content: TASK }] });
    const call1 = r1.output[0] as ResponseFunctionToolCall;
    const r2 = await client.responses.create({
      model: 'sim-1',
      previous_response_id: r1.id,
      input: [{ type: 'function_call_output', call_id: call1.call_id, output: 'ok' }],
    });
    expect(r2.previous_response_id).toBe(r1.id);
    const call2 = r2.output.find((o) => o.type === 'function_call') as ResponseFunctionToolCall;
    expect(call2.name).toBe('read_file');
    // the stored history is counted: more input than the new item alone
    expect(r2.usage?.input_tokens).toBeGreaterThan(r1.usage?.input_tokens ?? 0);
    await expect(
      client.responses.create({ model: 'sim-1', previous_response_id: 'resp_nope', input: 'x' }),
    ).rejects.toMatchObject({ status: 400 });
  });

  test('no script: a deterministic short final answer', async () => {
    const { client } = await withScript();
    const r = await client.responses.create({ model: 'sim-1', input: 'What is 2+2?', store: false });
    expect(r.output_text).toBe('Done.');
  });
});

describe('POST /v1/responses/compact', () => {
  test('returns the user messages then one compaction item, counted at its compacted size', async () => {
    const { client } = await withScript();
    const history: ResponseInputItem[] = [{ role: 'user', content: TASK }];
    const r1 = await client.responses.create({ model: 'sim-1', input: history, store: false });
    appendTurn(history, r1.output, () => variedText('out', 3000));
    const before = await client.responses.create({ model: 'sim-1', input: history, store: false });

    const compacted: CompactedResponse = await client.responses.compact({ model: 'sim-1', input: history });
    expect(compacted.object).toBe('response.compaction');
    expect(compacted.output.map((o) => o.type)).toEqual(['message', 'compaction']);
    expect(compacted.usage.input_tokens).toBe(before.usage?.input_tokens);
    expect(compacted.usage.output_tokens).toBeGreaterThan(0);

    const after = await client.responses.create({
      model: 'sim-1',
      input: compacted.output as ResponseInputItem[],
      store: false,
    });
    expect(after.usage?.input_tokens).toBeLessThan((before.usage?.input_tokens ?? 0) / 4);
    // progress survived: step 1 comes next, not step 0 again
    const call = after.output.find((o) => o.type === 'function_call') as ResponseFunctionToolCall;
    expect(call.name).toBe('read_file');
    expect(call.call_id).toMatch(/^call_s1_/);
  });

  test('cache diagnostics attribute a miss after compaction to context_compacted', async () => {
    const { client } = await withScript();
    const history: ResponseInputItem[] = [
      { role: 'user', content: variedText('ctx', 800) },
      { role: 'user', content: TASK },
    ];
    const r1 = await client.responses.create({ model: 'sim-1', input: history, store: false });
    appendTurn(history, r1.output, () => variedText('o', 800));
    const r2 = await client.responses.create({ model: 'sim-1', input: history, store: false });
    const compacted = await client.responses.compact({ model: 'sim-1', input: history });
    const r3 = await client.responses.create({
      model: 'sim-1',
      input: compacted.output as ResponseInputItem[],
      store: false,
      prompt_cache_options: { comparison_response_id: r2.id },
    });
    expect(r3.prompt_cache_diagnostics).toMatchObject({ type: 'cache_miss', reason: 'context_compacted' });
  });
});

describe('context_management on create', () => {
  test('past the threshold the response carries a compaction item; items before it still count until the client drops them', async () => {
    const { client } = await withScript();
    const history: ResponseInputItem[] = [{ role: 'user', content: TASK }];
    const r1 = await client.responses.create({ model: 'sim-1', input: history, store: false });
    appendTurn(history, r1.output, () => variedText('big', 3000));
    const events = await collect(
      await client.responses.create({
        model: 'sim-1',
        input: history,
        store: false,
        stream: true,
        context_management: [{ type: 'compaction', compact_threshold: 2000 }],
      }),
    );
    expect(events.map((e) => e.type)).toContain('response.compaction.compacting');
    const done = events.at(-1) as ResponseCompletedEvent;
    const out = done.response.output;
    expect(out[0]?.type).toBe('compaction');
    const call = out.find((o) => o.type === 'function_call') as ResponseFunctionToolCall;
    expect(call.call_id).toMatch(/^call_s1_/);
    const big = done.response.usage?.input_tokens ?? 0;
    expect(big).toBeGreaterThan(2000);

    appendTurn(history, out, () => 'hello');
    // a client that keeps everything pays for everything: nothing is dropped for it
    const kept = await client.responses.create({ model: 'sim-1', input: history, store: false });
    expect(kept.usage?.input_tokens).toBeGreaterThan(big);
    // one that drops what came before the compaction item (the documented way) pays for the rest
    const at = history.findIndex((item) => item.type === 'compaction');
    const next = await client.responses.create({
      model: 'sim-1',
      input: [history[0] as ResponseInputItem, ...history.slice(at)],
      store: false,
      context_management: [{ type: 'compaction', compact_threshold: 2000 }],
    });
    expect(next.usage?.input_tokens).toBeLessThan(big / 4);
    expect(next.output.map((o) => o.type)).toEqual(['message']);
    expect(next.output_text).toBe('hello.txt now contains hello.');
  });
});

describe('max_output_tokens', () => {
  test('output past the limit is cut: status incomplete, the call arguments cut mid-way, reasoning first', async () => {
    const { client } = await withScript();
    const r = await client.responses.create({
      model: 'sim-1',
      input: [{ role: 'user', content: TASK }],
      store: false,
      max_output_tokens: 16,
    });
    expect(r.status).toBe('incomplete');
    expect(r.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(r.usage?.output_tokens).toBe(16);
    expect(r.usage?.output_tokens_details.reasoning_tokens).toBe(12);
    const call = r.output.find((o) => o.type === 'function_call') as ResponseFunctionToolCall;
    expect(() => JSON.parse(call.arguments)).toThrow(); // 4 tokens left for name + arguments
    expect(call.status).toBe('incomplete');

    const events = await collect(
      await client.responses.create({
        model: 'sim-1',
        input: [{ role: 'user', content: TASK }],
        store: false,
        stream: true,
        max_output_tokens: 16,
      }),
    );
    expect(events.at(-1)?.type).toBe('response.incomplete');
  });

  test('output within the limit is untouched', async () => {
    const { client } = await withScript();
    const r = await client.responses.create({
      model: 'sim-1',
      input: [{ role: 'user', content: TASK }],
      store: false,
      max_output_tokens: 500,
    });
    expect(r.status).toBe('completed');
    expect(r.incomplete_details).toBeNull();
  });
});

describe('compaction_trigger', () => {
  test('a trailing compaction_trigger yields one compaction item, and the script goes on from it', async () => {
    const { client } = await withScript();
    const history: ResponseInputItem[] = [{ role: 'user', content: TASK }];
    const r1 = await client.responses.create({ model: 'sim-1', input: history, store: false });
    appendTurn(history, r1.output, () => variedText('big', 3000));
    const compacted = await client.responses.create({
      model: 'sim-1',
      input: [...history, { type: 'compaction_trigger' }],
      store: false,
    });
    expect(compacted.output.map((o) => o.type)).toEqual(['compaction']);
    expect(compacted.usage?.input_tokens).toBeGreaterThan(3000);
    expect(compacted.usage?.output_tokens).toBeGreaterThan(0);

    const next = await client.responses.create({
      model: 'sim-1',
      input: [{ role: 'user', content: TASK }, compacted.output[0] as ResponseInputItem],
      store: false,
    });
    expect(next.usage?.input_tokens).toBeLessThan(1000);
    // the script resumes after the step the compaction recorded
    const call = next.output.find((o) => o.type === 'function_call') as ResponseFunctionToolCall;
    expect(call.call_id).toMatch(/^call_s1_/);
  });

  test('a compaction_trigger that is not the final item is a 400', async () => {
    const { client } = await withScript();
    await expect(
      client.responses.create({
        model: 'sim-1',
        input: [{ type: 'compaction_trigger' }, { role: 'user', content: TASK }],
        store: false,
      }),
    ).rejects.toMatchObject({ status: 400, message: expect.stringContaining('final input item') });
  });
});

describe('errors and other routes', () => {
  test('malformed bodies get a 400 in the OpenAI error format, never a crash', async () => {
    const { sim: server, client } = await withScript();
    const post = (body: string, path = '/responses') =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    const bad = await post('{not json');
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { message: string; type: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/not valid JSON/);

    expect((await post('[]')).status).toBe(400);
    expect((await post('')).status).toBe(400);
    const noModel = await post(JSON.stringify({ input: 'hi' }));
    expect(noModel.status).toBe(400);
    expect(((await noModel.json()) as { error: { param: string } }).error.param).toBe('model');
    expect((await post(JSON.stringify({ model: 'sim-1', input: 42 }))).status).toBe(400);
    expect((await post(JSON.stringify({ model: 'sim-1', messages: [] }), '/chat/completions')).status).toBe(
      400,
    );

    const err = await client.responses
      .create({
        model: 'sim-1',
        input: [{ type: 'function_call', name: 'x' } as unknown as ResponseInputItem],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/function_call.*call_id/);

    const unknown = await post('{}', '/nope');
    expect(unknown.status).toBe(404);
    // the server is still fine
    const ok = await client.responses.create({ model: 'sim-1', input: 'hi', store: false });
    expect(ok.status).toBe('completed');
  });

  test('GET /v1/models lists the sim models', async () => {
    const { client } = await withScript();
    const ids = (await client.models.list()).data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['sim-1', 'sim-exact']));
  });

  test("GET /v1/models/{id}: each listed model, any name the sim serves, the API's 404 for an id no model has", async () => {
    const { client } = await withScript();
    for (const listed of (await client.models.list()).data) {
      expect(await client.models.retrieve(listed.id)).toEqual(listed);
    }
    // the sim answers creates for any model name, so retrieve answers for them too
    const served = await client.responses.create({ model: 'gpt-5.5', input: 'hi', store: false });
    expect(served.model).toBe('gpt-5.5');
    const model = await client.models.retrieve('gpt-5.5');
    expect(model).toEqual({
      id: 'gpt-5.5',
      object: 'model',
      created: expect.any(Number),
      owned_by: 'turnbench-sim',
    });
    expect((await client.models.retrieve('ft:gpt-4o-mini:acme:triage:9xQ2')).id).toBe(
      'ft:gpt-4o-mini:acme:triage:9xQ2',
    );
    const err = await client.models.retrieve('no such model').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as InstanceType<typeof OpenAI.NotFoundError>).error).toEqual({
      message: "The model 'no such model' does not exist",
      type: 'invalid_request_error',
      param: 'model',
      code: 'model_not_found',
    });
  });
});
