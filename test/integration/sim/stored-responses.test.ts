import OpenAI from 'openai';
import type {
  Response,
  ResponseCompletedEvent,
  ResponseInputItem,
  ResponseItem,
  ResponseStreamEvent,
  Tool,
} from 'openai/resources/responses/responses';
import { afterEach, describe, expect, test } from 'vitest';
import type { SimServer, SimServerOptions } from '../../../src/sim/index.js';
import { collect, startSim } from './helpers.js';

/** The real SDK against the sim over HTTP: the Responses API's endpoints besides create. */

const TASK = 'List the files, then report.';
const TOOLS: Tool[] = [
  {
    type: 'function',
    name: 'shell',
    description: 'Run a command.',
    parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } } },
    strict: false,
  },
];

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(opts: SimServerOptions = {}) {
  const s = await startSim({ seed: 3, ...opts });
  sim = s.sim;
  s.sim.scripts.register(TASK, { steps: [{ shell: 'ls' }], final: 'Two files.', reasoning_tokens: 0 });
  return s;
}

/** The raw answer of a request, to check the wire shape the SDK hides. */
async function raw(server: SimServer, method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const idsOf = (items: Array<{ id?: string | null }>) => items.map((i) => i.id);

describe('GET /v1/responses/{id}', () => {
  test('returns the stored response exactly as create returned it, streamed or not', async () => {
    const { client } = await start();
    const created = await client.responses.create({ model: 'sim-1', input: TASK, tools: TOOLS });
    const got = await client.responses.retrieve(created.id);
    expect(got).toEqual(created);
    // the query parameters the SDK sends are accepted
    const withInclude = await client.responses.retrieve(created.id, {
      include: ['reasoning.encrypted_content', 'message.output_text.logprobs'],
      stream: false,
    });
    expect(withInclude).toEqual(created);

    const events = await collect(
      await client.responses.create({ model: 'sim-1', input: 'hi', stream: true, instructions: 'Be brief.' }),
    );
    const completed = events.at(-1) as ResponseCompletedEvent;
    expect(completed.type).toBe('response.completed');
    expect(await client.responses.retrieve(completed.response.id)).toEqual(completed.response);
  });

  test("an unknown id, a store: false response and a deleted one are 404s in OpenAI's error shape", async () => {
    const { sim: server, client } = await start();
    const missing = await raw(server, 'GET', '/responses/resp_nope');
    expect(missing).toEqual({
      status: 404,
      body: {
        error: {
          message: "Response with id 'resp_nope' not found.",
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      },
    });
    const stateless = await client.responses.create({ model: 'sim-1', input: 'hi', store: false });
    expect(stateless.status).toBe('completed');
    for (const call of [
      () => client.responses.retrieve(stateless.id),
      () => client.responses.inputItems.list(stateless.id),
      () => client.responses.delete(stateless.id),
      () => client.responses.cancel(stateless.id),
    ]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.NotFoundError);
      expect((err as InstanceType<typeof OpenAI.NotFoundError>).error).toMatchObject({
        message: `Response with id '${stateless.id}' not found.`,
        type: 'invalid_request_error',
      });
    }
  });
});

describe('DELETE /v1/responses/{id}', () => {
  test('deletes: the answer names it, then retrieve is a 404 and chaining to it a 400', async () => {
    const { sim: server, client } = await start();
    const kept = await client.responses.create({ model: 'sim-1', input: 'hi' });
    const gone = await client.responses.create({ model: 'sim-1', input: 'bye' });
    expect(await raw(server, 'DELETE', `/responses/${gone.id}`)).toEqual({
      status: 200,
      body: { id: gone.id, object: 'response', deleted: true },
    });
    await expect(client.responses.retrieve(gone.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.responses.delete(gone.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(
      client.responses.create({ model: 'sim-1', input: 'x', previous_response_id: gone.id }),
    ).rejects.toMatchObject({ status: 400, code: 'previous_response_not_found' });
    // the SDK's own call, on another response
    await client.responses.delete(kept.id);
    await expect(client.responses.retrieve(kept.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe('GET /v1/responses/{id}/input_items', () => {
  test('lists the items the response was generated from, with ids, newest first, a page at a time', async () => {
    const { sim: server, client } = await start();
    const r1 = await client.responses.create({
      model: 'sim-1',
      input: [
        { role: 'developer', content: 'Work in /tmp.' },
        { role: 'user', content: [{ type: 'input_text', text: TASK }] },
      ],
      tools: TOOLS,
    });
    const call = r1.output.find((o) => o.type === 'function_call');
    if (call?.type !== 'function_call') throw new Error('expected a function call');
    const r2 = await client.responses.create({
      model: 'sim-1',
      previous_response_id: r1.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: 'a.txt\nb.txt' }],
      tools: TOOLS,
    });
    expect(r2.output_text).toBe('Two files.');

    // every page the SDK fetches, 2 items at a time, in the default (newest first) order
    const all: ResponseItem[] = [];
    for await (const item of client.responses.inputItems.list(r2.id, { limit: 2 })) all.push(item);
    expect(all.map((i) => i.type)).toEqual(['function_call_output', 'function_call', 'message', 'message']);
    const [output, listedCall, user, developer] = all;
    expect(output).toMatchObject({
      type: 'function_call_output',
      call_id: call.call_id,
      output: 'a.txt\nb.txt',
      status: 'completed',
    });
    expect(output?.id).toMatch(/^fco_/);
    // the previous response's output keeps the id create gave it
    expect(listedCall).toEqual(call);
    expect(user).toMatchObject({
      type: 'message',
      role: 'user',
      status: 'completed',
      content: [{ type: 'input_text', text: TASK }],
    });
    expect(developer).toMatchObject({
      type: 'message',
      role: 'developer',
      content: [{ type: 'input_text', text: 'Work in /tmp.' }],
    });
    for (const item of all) expect(item.id).toMatch(/^(msg|fc|fco)_/);
    expect(new Set(idsOf(all)).size).toBe(4);

    // ids are stable, pages are cut by the cursor, and asc is the reverse
    const first = await raw(server, 'GET', `/responses/${r2.id}/input_items?limit=2`);
    expect(first.body).toMatchObject({
      object: 'list',
      first_id: all[0]?.id,
      last_id: all[1]?.id,
      has_more: true,
    });
    expect(idsOf(first.body.data as ResponseItem[])).toEqual(idsOf(all.slice(0, 2)));
    const asc = await client.responses.inputItems.list(r2.id, { order: 'asc' });
    expect(idsOf(asc.data)).toEqual(idsOf(all).reverse());
    expect(asc.has_more).toBe(false);
    const after = await client.responses.inputItems.list(r2.id, {
      order: 'asc',
      after: all[3]?.id,
      limit: 2,
    });
    expect(idsOf(after.data)).toEqual([all[2]?.id, all[1]?.id]);
    expect(after.has_more).toBe(true);
    const before = await raw(server, 'GET', `/responses/${r2.id}/input_items?before=${all[1]?.id}&limit=1`);
    expect(idsOf(before.body.data as ResponseItem[])).toEqual([all[0]?.id]);
    expect(before.body.has_more).toBe(false);

    // the first response's own items only
    const own = await client.responses.inputItems.list(r1.id);
    expect(own.data.map((i) => i.type === 'message' && i.role)).toEqual(['user', 'developer']);
  });

  test('a string input is one user message; bad parameters are 400s naming the parameter', async () => {
    const { sim: server, client } = await start();
    const r = await client.responses.create({ model: 'sim-1', input: 'hello' });
    const page = await client.responses.inputItems.list(r.id);
    expect(page.data).toEqual([
      {
        id: expect.stringMatching(/^msg_/),
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: 'hello' }],
        status: 'completed',
      },
    ]);
    expect(page.has_more).toBe(false);
    for (const [query, param] of [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['order=up', 'order'],
      ['after=msg_nope', 'after'],
    ] as const) {
      const bad = await raw(server, 'GET', `/responses/${r.id}/input_items?${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.body.error, query).toMatchObject({ type: 'invalid_request_error', param });
    }
  });
});

describe('POST /v1/responses/input_tokens', () => {
  test("counts exactly what a create's usage.input_tokens reports, a stored chain included", async () => {
    const { client } = await start();
    const body = {
      model: 'sim-1',
      instructions: 'You are a coding agent.',
      tools: TOOLS,
      input: [{ role: 'user', content: TASK }] as ResponseInputItem[],
    };
    const counted = await client.responses.inputTokens.count(body);
    expect(counted.object).toBe('response.input_tokens');
    const created = await client.responses.create({ ...body, store: true });
    expect(counted.input_tokens).toBe(created.usage?.input_tokens);
    expect(counted.input_tokens).toBeGreaterThan(20);

    const call = created.output.find((o) => o.type === 'function_call');
    if (call?.type !== 'function_call') throw new Error('expected a function call');
    const next = {
      model: 'sim-1',
      tools: TOOLS,
      previous_response_id: created.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: 'ok' }] as ResponseInputItem[],
    };
    const chained = await client.responses.inputTokens.count(next);
    const second = await client.responses.create(next);
    expect(chained.input_tokens).toBe(second.usage?.input_tokens);

    // counting is not a turn: the script has not moved
    const again = await client.responses.create({ ...body, store: false });
    expect(again.output.map((o) => o.type)).toEqual(created.output.map((o) => o.type));
    // the model is optional in the SDK's params
    expect((await client.responses.inputTokens.count({ input: 'hi' })).input_tokens).toBe(
      (await client.responses.create({ model: 'sim-1', input: 'hi', store: false })).usage?.input_tokens,
    );
    await expect(
      client.responses.inputTokens.count({ model: 'sim-1', input: 42 as never }),
    ).rejects.toMatchObject({
      status: 400,
    });
  });
});

describe('background: true', () => {
  test("the SDK's polling loop: queued, then retrieve until it has finished", async () => {
    const { sim: server, client } = await start();
    let r: Response = await client.responses.create({
      model: 'sim-1',
      input: TASK,
      tools: TOOLS,
      background: true,
    });
    expect(r).toMatchObject({ status: 'queued', background: true, output: [], usage: null });
    let polls = 0;
    while (r.status === 'queued' || r.status === 'in_progress') {
      r = await client.responses.retrieve(r.id);
      polls += 1;
    }
    expect(polls).toBe(1);
    expect(r.status).toBe('completed');
    expect(r.output[0]?.type).toBe('function_call');
    expect(r.usage?.input_tokens).toBeGreaterThan(0);
    // cancelling a finished background response gives it back as it is
    expect(await client.responses.cancel(r.id)).toEqual(r);
    expect(server.traffic.http['GET /v1/responses/{id}']).toBe(1);

    // stateless background requests are refused, as the real API does
    await expect(
      client.responses.create({ model: 'sim-1', input: 'x', background: true, store: false }),
    ).rejects.toMatchObject({ status: 400, param: 'store' });
    // only background responses can be cancelled
    const plain = await client.responses.create({ model: 'sim-1', input: 'x' });
    await expect(client.responses.cancel(plain.id)).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  test('in progress for its simulated latency, and cancelled while it runs', async () => {
    let clock = 1_000_000;
    const { client } = await start({ latency: { ttft_ms: 60_000 }, now: () => clock });
    const running = await client.responses.create({
      model: 'sim-1',
      input: TASK,
      tools: TOOLS,
      background: true,
    });
    expect(running.status).toBe('queued');
    expect((await client.responses.retrieve(running.id)).status).toBe('in_progress');
    clock += 59_000;
    expect((await client.responses.retrieve(running.id)).status).toBe('in_progress');
    clock += 1_001;
    const done = await client.responses.retrieve(running.id);
    expect(done.status).toBe('completed');
    expect(done.output_text).toBe('');
    expect(done.output[0]?.type).toBe('function_call');

    const other = await client.responses.create({
      model: 'sim-1',
      input: TASK,
      tools: TOOLS,
      background: true,
    });
    const chainedBody = { model: 'sim-1', previous_response_id: other.id, input: 'next' };
    const withOutput = (await client.responses.inputTokens.count(chainedBody)).input_tokens;
    const cancelled = await client.responses.cancel(other.id);
    expect(cancelled).toMatchObject({ id: other.id, status: 'cancelled', output: [], usage: null });
    // idempotent, and it stays cancelled once its latency has passed
    clock += 120_000;
    expect(await client.responses.cancel(other.id)).toEqual(cancelled);
    expect(await client.responses.retrieve(other.id)).toEqual(cancelled);
    // a response chained to it sees its input only
    expect((await client.responses.inputTokens.count(chainedBody)).input_tokens).toBeLessThan(withOutput);
  });

  test('created with stream: true, its events can be streamed again (the SDK helper and starting_after)', async () => {
    const { client } = await start();
    const first = await collect(
      await client.responses.create({
        model: 'sim-1',
        input: TASK,
        tools: TOOLS,
        background: true,
        stream: true,
      }),
    );
    expect(first.slice(0, 3).map((e) => [e.type, 'response' in e ? e.response.status : null])).toEqual([
      ['response.created', 'queued'],
      ['response.queued', 'queued'],
      ['response.in_progress', 'in_progress'],
    ]);
    const completed = first.at(-1) as ResponseCompletedEvent;
    expect(completed.type).toBe('response.completed');
    const id = completed.response.id;

    // the SDK's helper retrieves with stream=true and drops what came before starting_after itself
    const helper = client.responses.stream({ response_id: id, starting_after: 4 });
    const resumed: ResponseStreamEvent[] = [];
    for await (const e of helper) resumed.push(e);
    expect(resumed).toEqual(first.filter((e) => e.sequence_number > 4));
    expect((await helper.finalResponse()).id).toBe(id);

    // the server filters too when the query names it
    const replay = await collect(await client.responses.retrieve(id, { stream: true, starting_after: 2 }));
    expect(replay).toEqual(first.slice(3));

    // a response not created in the background with stream: true cannot be streamed again
    const plain = await client.responses.create({ model: 'sim-1', input: 'x', stream: true });
    const plainId = (await collect(plain)).at(-1) as ResponseCompletedEvent;
    await expect(client.responses.retrieve(plainId.response.id, { stream: true })).rejects.toMatchObject({
      status: 400,
      param: 'stream',
    });
  });
});
