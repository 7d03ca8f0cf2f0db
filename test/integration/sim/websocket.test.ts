import OpenAI from 'openai';
import type {
  Response,
  ResponseFunctionToolCall,
  ResponseInputItem,
  ResponsesClientEvent,
  ResponsesServerEvent,
} from 'openai/resources/responses/responses';
import { ResponsesWS } from 'openai/resources/responses/ws';
import { afterEach, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { SIM_OPTIONS_HEADER, type SimServer, startSimServer } from '../../../src/sim/index.js';
import { appendTurn, collect, textOfTokens } from './helpers.js';

/** The Responses API's WebSocket mode, driven by the `openai` SDK's own `ResponsesWS` client. */

const TASK = 'Create hello.txt containing the word hello, then report. (ws)';
const SCRIPT = {
  steps: [
    { shell: 'echo hello > hello.txt' },
    { tool: 'read_file', args: { path: 'hello.txt' }, say: 'Checking.' },
  ],
  final: 'hello.txt now contains hello.',
  reasoning_tokens: 12,
};
const LONG_INSTRUCTIONS = `You are a coding agent. ${textOfTokens(1500)}`;

let sim: SimServer | undefined;
const sockets: ResponsesWS[] = [];
async function stopSim(): Promise<void> {
  const running = sim;
  sim = undefined;
  await running?.close();
}
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.close();
  await stopSim();
});

async function start(headers: Record<string, string> = {}): Promise<{ sim: SimServer; client: OpenAI }> {
  sim = await startSimServer({ seed: 7 });
  sim.scripts.register(TASK, SCRIPT);
  return {
    sim,
    client: new OpenAI({ baseURL: sim.url, apiKey: 'sim-key', maxRetries: 0, defaultHeaders: headers }),
  };
}

type Ended = { events: ResponsesServerEvent[]; close: { code: number } | null };

/**
 * A connection with every server event recorded; `until` waits for the events of one exchange:
 * up to a terminal response event, an `error`, a steer failure, or the connection closing.
 */
function connect(client: OpenAI) {
  const ws = new ResponsesWS(client);
  sockets.push(ws);
  const events: ResponsesServerEvent[] = [];
  let closed: { code: number } | null = null;
  let wake: () => void = () => {};
  ws.on('event', (e) => {
    events.push(e);
    wake();
  });
  ws.on('error', () => wake());
  ws.on('close', (code) => {
    closed = { code };
    wake();
  });
  const isEnd = (e: ResponsesServerEvent) =>
    e.type === 'response.completed' ||
    e.type === 'response.incomplete' ||
    e.type === 'error' ||
    e.type === 'response.steer.failed';
  let seen = 0;
  const until = async (ends = 1): Promise<Ended> => {
    const from = seen;
    const count = () => events.slice(from).filter(isEnd).length;
    while (count() < ends && closed === null) await new Promise<void>((r) => (wake = r));
    const slice = events.slice(from);
    seen = events.length;
    return { events: slice, close: closed };
  };
  const send = (event: ResponsesClientEvent) => ws.send(event);
  return { ws, send, until, events };
}

const completed = (r: Ended): Response => {
  const last = r.events.at(-1);
  if (last?.type !== 'response.completed') throw new Error(`no response.completed: ${JSON.stringify(last)}`);
  return last.response;
};

function errorOf(r: Ended) {
  const e = r.events.find((x) => x.type === 'error');
  if (!e || !('status' in e)) throw new Error('no error event');
  return e;
}

/** Random ids and clock readings replaced, so two runs of one request can be compared. */
function normalise(value: unknown): unknown {
  const ids = new Map<string, string>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string' && /^(resp|msg|fc|cmp|rs)_[0-9a-f]{24}$/.test(v)) {
      if (!ids.has(v)) ids.set(v, `${v.split('_')[0]}#${ids.size}`);
      return ids.get(v);
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [k, k === 'created_at' || k === 'completed_at' ? 0 : walk(x)]),
      );
    }
    return v;
  };
  return walk(value);
}

describe('GET /v1/responses as a WebSocket (the SDK ResponsesWS client)', () => {
  test('several responses in sequence on one connection follow the script', async () => {
    const { client } = await start();
    const c = connect(client);
    const history: ResponseInputItem[] = [{ role: 'user', content: TASK }];
    const outputs: string[][] = [];
    for (let turn = 0; turn < 3; turn++) {
      c.send({ type: 'response.create', model: 'sim-1', input: history, store: false });
      const r = completed(await c.until());
      outputs.push(r.output.map((o) => o.type));
      appendTurn(history, r.output, () => 'hello');
    }
    expect(outputs).toEqual([['function_call'], ['message', 'function_call'], ['message']]);
    expect(sim?.traffic.websocketUpgrades).toBe(1);
    expect(sim?.traffic.websocketEvents).toEqual({ 'response.create': 3 });
    expect(sim?.traffic.http).toEqual({});
  });

  test('streams the same events as SSE for the same request', async () => {
    const { sim, client } = await start();
    const body = {
      model: 'sim-1',
      instructions: 'You are a coding agent.',
      input: [
        { role: 'user' as const, content: TASK },
        {
          type: 'function_call' as const,
          call_id: 'call_s0_0_x',
          name: 'shell',
          arguments: '{"command":["ls"]}',
        },
        { type: 'function_call_output' as const, call_id: 'call_s0_0_x', output: 'hello.txt' },
      ],
      store: false,
    };
    const sse = await collect(await client.responses.create({ ...body, stream: true }));
    sim.evictAll();
    const c = connect(client);
    c.send({ type: 'response.create', ...body });
    const ws = (await c.until()).events;

    expect(ws.map((e) => e.type)).toEqual(sse.map((e) => e.type));
    expect(ws.map((e) => e.type)).toContain('response.output_text.delta');
    expect(ws.map((e) => e.type)).toContain('response.function_call_arguments.delta');
    expect(normalise(ws)).toEqual(normalise(sse));
  });

  test('previous_response_id with store: false continues on the same connection, not on another', async () => {
    const { client } = await start();
    const c = connect(client);
    const history: ResponseInputItem[] = [{ role: 'user', content: TASK }];
    c.send({ type: 'response.create', model: 'sim-1', input: history, store: false });
    const r1 = completed(await c.until());
    const call = r1.output[0] as ResponseFunctionToolCall;
    const output: ResponseInputItem = { type: 'function_call_output', call_id: call.call_id, output: 'done' };

    c.send({
      type: 'response.create',
      model: 'sim-1',
      previous_response_id: r1.id,
      input: [output],
      store: false,
    });
    const r2 = completed(await c.until());
    expect(r2.previous_response_id).toBe(r1.id);
    expect(r2.output.map((o) => o.type)).toEqual(['message', 'function_call']);
    // the server counted the whole chain: the same as sending the full history
    appendTurn(history, r1.output, () => 'done');
    const full = await client.responses.create({ model: 'sim-1', input: history, store: false });
    expect(r2.usage?.input_tokens).toBe(full.usage?.input_tokens);

    const other = connect(client);
    other.send({
      type: 'response.create',
      model: 'sim-1',
      previous_response_id: r1.id,
      input: [output],
      store: false,
    });
    const err = errorOf(await other.until());
    expect(err.status).toBe(400);
    expect(err.error).toMatchObject({ code: 'previous_response_not_found', param: 'previous_response_id' });
  });

  test('generate: false warms up: no output, and the next turn chains from it with the prefix cached', async () => {
    const { client } = await start();
    const c = connect(client);
    const input: ResponseInputItem[] = [{ role: 'user', content: TASK }];
    c.send({
      type: 'response.create',
      model: 'sim-1',
      instructions: LONG_INSTRUCTIONS,
      input,
      store: false,
      generate: false,
    });
    const warm = completed(await c.until());
    expect(warm.output).toEqual([]);
    expect(warm.usage?.output_tokens).toBe(0);
    expect(warm.usage?.input_tokens).toBeGreaterThan(1500);

    c.send({
      type: 'response.create',
      model: 'sim-1',
      instructions: LONG_INSTRUCTIONS,
      previous_response_id: warm.id,
      input: [],
      store: false,
    });
    const first = completed(await c.until());
    expect(first.output.map((o) => o.type)).toEqual(['function_call']);
    expect(first.usage?.input_tokens).toBe(warm.usage?.input_tokens);
    expect(first.usage?.input_tokens_details.cached_tokens).toBeGreaterThan(1024);
  });

  test('errors come as error events with the HTTP status, and the connection stays usable', async () => {
    const { client } = await start();
    const c = connect(client);

    c.ws.sendRaw(JSON.stringify({ type: 'response.create', input: 'no model' }));
    const missingModel = errorOf(await c.until());
    expect(missingModel.status).toBe(400);
    expect(missingModel.error).toMatchObject({ type: 'invalid_request_error', param: 'model' });

    c.ws.sendRaw('{not json');
    expect(errorOf(await c.until()).error).toMatchObject({ code: 'invalid_json' });

    c.ws.sendRaw(JSON.stringify({ type: 'session.update' }));
    const unknown = errorOf(await c.until());
    expect(unknown.error).toMatchObject({ code: 'unknown_event_type', param: 'type' });
    expect(unknown.error.message).toContain("'session.update'");

    c.send({ type: 'response.create', model: 'sim-1', input: TASK, background: true });
    expect(errorOf(await c.until()).error).toMatchObject({ param: 'background' });

    c.send({ type: 'response.steer', previous_response_id: 'resp_x', input: 'faster' });
    const steer = (await c.until()).events[0];
    expect(steer).toMatchObject({ type: 'response.steer.failed', error: { code: 'steering_not_supported' } });

    // response.processed (sent by Codex) is accepted silently
    c.ws.sendRaw(JSON.stringify({ type: 'response.processed', response_id: 'resp_x' }));
    c.send({ type: 'response.create', model: 'sim-1', input: TASK, store: false });
    const after = await c.until();
    expect(after.events.filter((e) => e.type === 'error')).toEqual([]);
    expect(completed(after).output[0]?.type).toBe('function_call');
    expect(sim?.traffic.websocketUpgrades).toBe(1);
  });

  test('faults: a 429 is an error event carrying Retry-After; a cut stream drops the connection', async () => {
    const faults = { faults: { rate_429: 1, retry_after_s: 2 } };
    const limited = await start({ [SIM_OPTIONS_HEADER]: JSON.stringify(faults) });
    const c = connect(limited.client);
    c.send({ type: 'response.create', model: 'sim-1', input: TASK });
    const err = errorOf(await c.until());
    expect(err.status).toBe(429);
    expect(err.error).toMatchObject({ code: 'rate_limit_exceeded', headers: { 'retry-after': '2' } });
    await stopSim();

    const cut = await start({ [SIM_OPTIONS_HEADER]: JSON.stringify({ faults: { rate_cut_stream: 1 } }) });
    const d = connect(cut.client);
    d.send({ type: 'response.create', model: 'sim-1', input: TASK });
    const ended = await d.until();
    expect(ended.close?.code).toBe(1006);
    expect(ended.events.length).toBeGreaterThan(0);
    expect(ended.events.some((e) => e.type === 'response.completed')).toBe(false);
  });

  test('latency options pace the events as over SSE', async () => {
    const { client } = await start({ [SIM_OPTIONS_HEADER]: JSON.stringify({ latency: { ttft_ms: 150 } }) });
    const c = connect(client);
    let firstOutputAt = 0;
    c.ws.on('response.output_item.added', () => {
      firstOutputAt ||= performance.now();
    });
    const sent = performance.now();
    c.send({ type: 'response.create', model: 'sim-1', input: TASK });
    completed(await c.until());
    expect(firstOutputAt - sent).toBeGreaterThanOrEqual(140);
  });

  test('stream_id lanes run side by side and every event names its lane', async () => {
    const { client } = await start();
    const c = connect(client);
    c.send({ type: 'response.create', model: 'sim-1', input: TASK, stream_id: 'a' });
    c.send({ type: 'response.create', model: 'sim-1', input: 'Something unscripted.', stream_id: 'b' });
    const both = await c.until(2);
    const lanes = new Set(both.events.map((e) => ('stream_id' in e ? e.stream_id : undefined)));
    expect(lanes).toEqual(new Set(['a', 'b']));
    const byLane = (lane: string) =>
      both.events.filter((e) => 'stream_id' in e && e.stream_id === lane && e.type === 'response.completed');
    expect(byLane('a')).toHaveLength(1);
    expect(byLane('b')).toHaveLength(1);
  });

  test('close: the client closes cleanly; closing the sim drops open connections', async () => {
    const { client } = await start();
    const c = connect(client);
    c.send({ type: 'response.create', model: 'sim-1', input: TASK });
    completed(await c.until());
    c.ws.close({ code: 1000, reason: 'done' });
    expect((await c.until()).close?.code).toBe(1000);

    const d = connect(client);
    d.send({ type: 'response.create', model: 'sim-1', input: TASK });
    completed(await d.until());
    await stopSim();
    expect((await d.until()).close?.code).toBe(1006);
  });

  test('only /v1/responses upgrades; a bad sim-options header refuses the upgrade', async () => {
    const { sim } = await start();
    // the status of the handshake's answer, and the x-request-id it carries (accepted or not)
    const status = (url: string, headers: Record<string, string> = {}) =>
      new Promise<[number, string | undefined]>((resolve) => {
        const ws = new WebSocket(url, { headers });
        ws.on('unexpected-response', (_req, res) => {
          resolve([res.statusCode ?? 0, res.headers['x-request-id'] as string | undefined]);
          ws.terminate();
        });
        ws.on('upgrade', (res) => {
          resolve([101, res.headers['x-request-id'] as string | undefined]);
          ws.close();
        });
        ws.on('error', () => {});
      });
    const base = sim.url.replace(/^http/, 'ws');
    const requestId = expect.stringMatching(/^req_[0-9a-f]{32}$/);
    expect(await status(`${base}/chat/completions`)).toEqual([404, requestId]);
    expect(await status(`${base}/responses`, { [SIM_OPTIONS_HEADER]: '{"latency": 3}' })).toEqual([
      400,
      requestId,
    ]);
    expect(await status(`${base}/responses`)).toEqual([101, requestId]);
  });
});
