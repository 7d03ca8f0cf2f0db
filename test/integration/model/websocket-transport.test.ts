import OpenAI, { APIConnectionTimeoutError, BadRequestError, NotFoundError } from 'openai';
import type { ResponseInputItem } from 'openai/resources/responses/responses';
import { afterEach, describe, expect, it } from 'vitest';
import { isRetryable, type ModelRequest, ResponsesClient } from '../../../src/model/index.js';
import { ResponsesSocketPool } from '../../../src/model/responses-socket.js';
import { SIM_OPTIONS_HEADER, type SimServer, startSimServer } from '../../../src/sim/index.js';

/** turnbench's Responses provider with `transport: websocket`, against the sim. */

const TASK = 'Count the files, twice, then report. (transport)';

let sim: SimServer | undefined;
const clients: ResponsesClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await sim?.close();
  sim = undefined;
});

async function start(): Promise<SimServer> {
  sim = await startSimServer({ seed: 11 });
  sim.scripts.register(TASK, {
    steps: [{ shell: 'ls | wc -l', repeat: 2 }],
    final: 'Two counts: 3 files.',
    reasoning_tokens: 0,
  });
  return sim;
}

function client(
  s: SimServer,
  transport: 'http' | 'websocket',
  extra: { headers?: Record<string, string>; requestTimeoutMs?: number; baseURL?: string } = {},
): ResponsesClient {
  const c = new ResponsesClient({ baseURL: s.url, apiKey: 'k', provider: 'sim', transport, ...extra });
  clients.push(c);
  return c;
}

const request = (input: ResponseInputItem[], extra: Partial<ModelRequest> = {}): ModelRequest => ({
  model: 'sim-1',
  instructions: 'Be brief.',
  tools: [],
  input,
  store: false,
  parallelToolCalls: true,
  ...extra,
});

/** Drive the script to its end, answering every call; returns each response. */
async function converse(c: ResponsesClient) {
  const history: ResponseInputItem[] = [{ role: 'user', content: TASK }];
  const responses = [];
  for (let turn = 0; turn < 3; turn++) {
    const r = await c.respond(request([...history]));
    responses.push(r);
    for (const item of r.output) {
      history.push(item as ResponseInputItem);
      if (item.type === 'function_call')
        history.push({ type: 'function_call_output', call_id: item.call_id, output: '3' });
    }
  }
  return responses;
}

describe('ResponsesClient with transport websocket', () => {
  it('gives the same responses as HTTP; bytes sent are the messages the server received', async () => {
    const s = await start();
    const overHttp = await converse(client(s, 'http'));
    s.evictAll();
    const overWs = await converse(client(s, 'websocket'));

    expect(overWs.map((r) => r.usage)).toEqual(overHttp.map((r) => r.usage));
    expect(overWs.map((r) => r.output.map((o) => o.type))).toEqual([
      ['function_call'],
      ['function_call'],
      ['message'],
    ]);
    expect(overWs.at(-1)?.output).toMatchObject([{ content: [{ text: 'Two counts: 3 files.' }] }]);
    // what reached the server, summed, is what the client says it sent
    expect(overWs.reduce((n, r) => n + r.bytesSent, 0)).toBe(s.traffic.websocketBytes);
    // the same body, with the envelope's type instead of `stream: true`
    overWs.forEach((r, i) => {
      expect(r.bytesSent - overHttp[i]!.bytesSent).toBe(11);
    });
    expect(s.traffic.http['POST /v1/responses']).toBe(3);
    expect(s.traffic.websocketEvents['response.create']).toBe(3);
    expect(s.traffic.websocketUpgrades).toBe(1);
  });

  it('reuses an idle connection, opens one per concurrent request, and closes them all on close()', async () => {
    const s = await start();
    const c = client(s, 'websocket');
    const first = [{ role: 'user' as const, content: TASK }];
    await c.respond(request(first));
    await c.respond(request(first));
    expect(s.traffic.websocketUpgrades).toBe(1);
    await Promise.all([c.respond(request(first)), c.respond(request(first)), c.respond(request(first))]);
    expect(s.traffic.websocketUpgrades).toBe(3);
    expect(s.traffic.websocketsOpen).toBe(3);
    c.close();
    await expect.poll(() => s.traffic.websocketsOpen).toBe(0);
  });

  it('records time to first token and latency under simulated latency, as over HTTP', async () => {
    const s = await start();
    const latency = JSON.stringify({ latency: { ttft_ms: 120, decode_tokens_per_s: 400 } });
    const headers = { [SIM_OPTIONS_HEADER]: latency };
    const input = [{ role: 'user' as const, content: TASK }];
    for (const transport of ['http', 'websocket'] as const) {
      const r = await client(s, transport, { headers }).respond(request(input));
      expect(r.ttftMs).not.toBeNull();
      expect(r.ttftMs!).toBeGreaterThanOrEqual(110);
      // the call's arguments are decoded at 400 tokens/s after the first token
      expect(r.latencyMs).toBeGreaterThan(r.ttftMs! + 10);
    }
  });

  it('retries rate limits and cut streams on a fresh connection until the response completes', async () => {
    const s = await start();
    const faults = JSON.stringify({
      faults: { rate_429: 0.3, rate_cut_stream: 0.4, retry_after_s: 0 },
      seed: 5,
    });
    const c = client(s, 'websocket', { headers: { [SIM_OPTIONS_HEADER]: faults } });
    const notices: Array<number | null> = [];
    const input = [{ role: 'user' as const, content: TASK }];
    let retries = 0;
    for (let i = 0; i < 6; i++) {
      const r = await c.respond(request(input, { promptCacheKey: `k${i}` }), {
        onRetry: (n) => notices.push(n.status),
      });
      expect(r.output[0]?.type).toBe('function_call');
      retries += r.retries;
    }
    expect(retries).toBeGreaterThan(0);
    expect(retries).toBe(notices.length);
    // both kinds happened (the draws are seeded): 429 error events and cut streams (no status)
    expect(notices).toContain(429);
    expect(notices).toContain(null);
    // a failed attempt's connection is never reused: each retry opened a fresh one
    expect(s.traffic.websocketUpgrades).toBe(1 + retries);
    expect(s.traffic.http).toEqual({});
  }, 60_000);

  it('fails at once on a 4xx error event, and on a refused upgrade', async () => {
    const s = await start();
    const c = client(s, 'websocket');
    const input = [{ role: 'user' as const, content: TASK }];
    const unknown = c.respond(request(input, { previousResponseId: 'resp_000000000000000000000000' }));
    await expect(unknown).rejects.toBeInstanceOf(BadRequestError);
    await expect(unknown).rejects.toMatchObject({ status: 400, code: 'previous_response_not_found' });
    expect(s.traffic.websocketEvents['response.create']).toBe(1);

    const wrongPath = client(s, 'websocket', { baseURL: `${s.url}/nowhere` });
    await expect(wrongPath.respond(request(input))).rejects.toBeInstanceOf(NotFoundError);
  });

  it('an idle stream times out with a retryable error; an abort ends the request at once', async () => {
    const s = await start();
    const slow = { [SIM_OPTIONS_HEADER]: JSON.stringify({ latency: { ttft_ms: 2000 } }) };
    const sdk = new OpenAI({ baseURL: s.url, apiKey: 'k', defaultHeaders: slow });
    const pool = new ResponsesSocketPool(sdk, 200);
    const body = { model: 'sim-1', input: TASK, stream: true as const };
    const drain = async () => {
      for await (const _ of pool.stream(body, undefined, () => {})) {
        // the response never gets that far
      }
    };
    const timedOut = await drain().catch((e: unknown) => e);
    pool.close();
    expect(timedOut).toBeInstanceOf(APIConnectionTimeoutError);
    expect(isRetryable(timedOut)).toBe(true);

    const c = client(s, 'websocket', { headers: slow });
    const abort = new AbortController();
    const started = performance.now();
    setTimeout(() => abort.abort(), 100);
    const aborted = await c
      .respond(request([{ role: 'user', content: TASK }]), { signal: abort.signal })
      .catch((e: unknown) => e);
    expect(aborted).toBeInstanceOf(Error);
    expect(performance.now() - started).toBeLessThan(1500);
  });
});
