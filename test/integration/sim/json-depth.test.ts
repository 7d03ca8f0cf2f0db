import OpenAI from 'openai';
import type { ResponsesServerEvent } from 'openai/resources/responses/responses';
import { ResponsesWS } from 'openai/resources/responses/ws';
import { afterEach, describe, expect, test } from 'vitest';
import type { SimServer } from '../../../src/sim/index.js';
import { collect, startSim } from './helpers.js';

/**
 * A request body nested deeper than the sim processes (1000 levels of arrays and objects) is an
 * invalid request, answered 400 `invalid_request_error` as the real API answers it, never the 500
 * "Maximum call stack size exceeded" the sim's renderer used to run into. Driven by the real
 * `openai` SDK over HTTP and over the Responses WebSocket mode.
 */

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(): Promise<OpenAI> {
  const started = await startSim();
  sim = started.sim;
  return started.client;
}

/** An object `levels` deep: `{"a":{"a":…{}…}}` (the innermost `{}` is one of the levels). */
function nestedText(levels: number): string {
  return `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
}

function nestedValue(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

/** A Responses body whose one tool's parameters make the whole body `levels` deep (body > tools > tool > parameters). */
function deepToolBody(levels: number, extra = ''): string {
  return `{"model":"sim-1","input":"hi",${extra}"tools":[{"type":"function","name":"f","parameters":${nestedText(levels - 3)}}]}`;
}

const TOO_DEEP = /^Request body nests arrays and objects more than 1000 levels deep\.$/;
const TOO_DEEP_MESSAGE = /^Message nests arrays and objects more than 1000 levels deep\.$/;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('the request succeeded'),
    (error: unknown) => error,
  );
}

describe('sim: a request body nested past 1000 levels', () => {
  test('a tool schema 100,000 levels deep is a BadRequestError with the OpenAI error body, and the server goes on', async () => {
    const client = await start();
    // JSON.stringify recurses, so no client serialises this from objects: the SDK sends the text as
    // it is (a string body with its content type), as a client in another language would.
    const body = deepToolBody(100_000);
    for (const streamed of [body, deepToolBody(100_000, '"stream":true,')]) {
      const error = await rejection(
        client.post('/responses', { body: streamed, headers: { 'content-type': 'application/json' } }),
      );
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      const bad = error as InstanceType<typeof OpenAI.BadRequestError>;
      expect(bad.status).toBe(400);
      expect(bad.error).toEqual({
        message: expect.stringMatching(TOO_DEEP),
        type: 'invalid_request_error',
        param: null,
        code: null,
      });
      expect(bad.requestID).toMatch(/^req_[0-9a-f]{32}$/);
    }
    const ok = await client.responses.create({ model: 'sim-1', input: 'hi', store: false });
    expect(ok.status).toBe('completed');
  });

  test('typed calls the SDK can serialise: 1001 levels refused on responses and chat; 1000 answered, streamed or not', async () => {
    const client = await start();
    const tool = (levels: number) => ({
      type: 'function' as const,
      name: 'f',
      strict: false,
      parameters: nestedValue(levels - 3),
    });

    const refused = await rejection(
      client.responses.create({ model: 'sim-1', input: 'hi', tools: [tool(1001)], stream: true }),
    );
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as InstanceType<typeof OpenAI.BadRequestError>).error).toMatchObject({
      type: 'invalid_request_error',
      message: expect.stringMatching(TOO_DEEP),
    });
    const chat = await rejection(
      client.chat.completions.create({
        model: 'sim-1',
        messages: [{ role: 'user', content: 'hi' }],
        // body > tools > tool > function > parameters
        tools: [{ type: 'function', function: { name: 'f', parameters: nestedValue(1001 - 4) } }],
      }),
    );
    expect(chat).toBeInstanceOf(OpenAI.BadRequestError);

    const answered = await client.responses.create({ model: 'sim-1', input: 'hi', tools: [tool(1000)] });
    expect(answered.status).toBe('completed');
    const events = await collect(
      await client.responses.create({ model: 'sim-1', input: 'hi', tools: [tool(1000)], stream: true }),
    );
    expect(events.at(-1)?.type).toBe('response.completed');
    // a `text.format` schema at the bound goes through json-schema-faker and zod without trouble
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 497; i++) schema = { type: 'object', properties: { a: schema } };
    const formatted = await client.responses.create({
      model: 'sim-1',
      input: 'hi',
      text: { format: { type: 'json_schema', name: 'deep', schema } },
    });
    expect(formatted.status).toBe('completed');
    expect(() => JSON.parse(formatted.output_text)).not.toThrow();
  });

  test('over the Responses WebSocket: an error event with status 400, and the connection stays usable', async () => {
    const client = await start();
    const ws = new ResponsesWS(client);
    const events: ResponsesServerEvent[] = [];
    let wake = () => {};
    const surfaced: Error[] = [];
    ws.on('event', (event) => {
      events.push(event);
      wake();
    });
    // the SDK also raises each error event as an error of the socket
    ws.on('error', (error) => {
      surfaced.push(error);
      wake();
    });
    const next = async (count: number) => {
      while (events.length < count) await new Promise<void>((resolve) => (wake = resolve));
    };
    try {
      ws.sendRaw(
        `{"type":"response.create","model":"sim-1","input":"hi","tools":[{"type":"function","name":"f","parameters":${nestedText(100_000)}}]}`,
      );
      await next(1);
      expect(events[0]).toMatchObject({
        type: 'error',
        status: 400,
        error: { type: 'invalid_request_error', param: null, code: null },
      });
      const error = events[0] as { error: { message: string } };
      expect(error.error.message).toMatch(TOO_DEEP_MESSAGE);
      expect(surfaced.map((e) => e.message)).toEqual([error.error.message]);

      ws.send({ type: 'response.create', model: 'sim-1', input: 'hi', store: false });
      while (!events.some((e) => e.type === 'response.completed')) await next(events.length + 1);
      expect(events.filter((e) => e.type === 'error')).toHaveLength(1);
      expect(sim?.traffic.websocketUpgrades).toBe(1);
    } finally {
      ws.close();
    }
  });
});
