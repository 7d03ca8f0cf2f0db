import OpenAI from 'openai';
import { afterEach, describe, expect, test } from 'vitest';
import { SIM_OPTIONS_HEADER, type SimServer } from '../../../src/sim/index.js';
import { collect, startSim } from './helpers.js';

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function rawPost(server: SimServer, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('fault injection', () => {
  test('429 carries Retry-After and the rate-limit error body', async () => {
    const s = await startSim({ faults: { rate_429: 1, retry_after_s: 3 } });
    sim = s.sim;
    const res = await rawPost(s.sim, { model: 'sim-1', input: 'hi' });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    const body = (await res.json()) as { error: { code: string } };
    expect(body.error.code).toBe('rate_limit_exceeded');
    await expect(s.client.responses.create({ model: 'sim-1', input: 'hi' })).rejects.toBeInstanceOf(
      OpenAI.RateLimitError,
    );
  });

  test('every answer, error or not, carries its own x-request-id, which the SDK reports', async () => {
    const ok = await startSim();
    sim = ok.sim;
    const requestId = /^req_[0-9a-f]{32}$/;
    const json = await ok.client.responses.create({ model: 'sim-1', input: 'hi' }).withResponse();
    const streamed = await ok.client.responses
      .create({ model: 'sim-1', input: 'hi', stream: true })
      .withResponse();
    await collect(streamed.data);
    expect(json.request_id).toMatch(requestId);
    expect(streamed.request_id).toMatch(requestId);
    expect(streamed.request_id).not.toBe(json.request_id);
    const notFound = await fetch(`${ok.sim.url}/nowhere`);
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('x-request-id')).toMatch(requestId);
    await ok.sim.close();

    const limited = await startSim({ faults: { rate_429: 1 } });
    sim = limited.sim;
    const error = await limited.client.responses.create({ model: 'sim-1', input: 'hi' }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).requestID).toMatch(requestId);
  });

  test('500 and 503', async () => {
    const s500 = await startSim({ faults: { rate_500: 1 } });
    sim = s500.sim;
    expect((await rawPost(s500.sim, { model: 'sim-1', input: 'hi' })).status).toBe(500);
    await s500.sim.close();
    const s503 = await startSim({ faults: { rate_503: 1 } });
    sim = s503.sim;
    const overloaded = await rawPost(s503.sim, { model: 'sim-1', input: 'hi' });
    expect(overloaded.status).toBe(503);
    // the real API's overload answer, which Codex reports as a model at capacity
    const body = (await overloaded.json()) as { error: { type: string; code: string } };
    expect(body.error).toMatchObject({ type: 'service_unavailable_error', code: 'server_is_overloaded' });
    await expect(
      s503.client.chat.completions.create({ model: 'sim-1', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(OpenAI.InternalServerError);
  });

  test('a cut stream ends before response.completed and the client sees an error', async () => {
    const s = await startSim({ faults: { rate_cut_stream: 1 } });
    sim = s.sim;
    s.sim.scripts.register('t', { steps: [{ shell: 'ls' }], final: 'f', reasoning_tokens: 0 });
    let received: string[] = [];
    const error = await (async () => {
      const stream = await s.client.responses.create({ model: 'sim-1', input: 't', stream: true });
      received = (await collect(stream)).map((e) => e.type);
    })().catch((e: unknown) => e);
    // either the SDK raises on the reset connection or the stream ends early; never completed
    expect(received).not.toContain('response.completed');
    if (!error) expect(received.length).toBeGreaterThan(0);
  });

  test('malformed tool-call arguments are not valid JSON', async () => {
    const s = await startSim({ faults: { rate_malformed_args: 1 } });
    sim = s.sim;
    s.sim.scripts.register('t', {
      steps: [{ tool: 'read_file', args: { path: 'some/long/path.txt' } }],
      final: 'f',
      reasoning_tokens: 0,
    });
    const r = await s.client.responses.create({ model: 'sim-1', input: 't', store: false });
    const call = r.output[0];
    if (call?.type !== 'function_call') throw new Error('expected a call');
    expect(() => JSON.parse(call.arguments)).toThrow();
  });

  test('per-request options header overrides the server faults; bad header is a 400', async () => {
    const s = await startSim();
    sim = s.sim;
    const faulty = { [SIM_OPTIONS_HEADER]: JSON.stringify({ faults: { rate_503: 1 } }) };
    expect((await rawPost(s.sim, { model: 'sim-1', input: 'hi' }, faulty)).status).toBe(503);
    expect((await rawPost(s.sim, { model: 'sim-1', input: 'hi' })).status).toBe(200);
    const bad = await rawPost(
      s.sim,
      { model: 'sim-1', input: 'hi' },
      { [SIM_OPTIONS_HEADER]: '{"faults":{"rate_503":7}}' },
    );
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/faults\.rate_503/);
  });

  test('fault draws are deterministic per seed, and a retry of the same request draws again', async () => {
    const outcomes: number[][] = [];
    for (const seed of [11, 11]) {
      const s = await startSim({ seed, faults: { rate_500: 0.5 } });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++)
        statuses.push((await rawPost(s.sim, { model: 'sim-1', input: `q${i % 3}` })).status);
      outcomes.push(statuses);
      await s.sim.close();
    }
    expect(outcomes[0]).toEqual(outcomes[1]);
    expect(outcomes[0]).toContain(500);
    expect(outcomes[0]).toContain(200);
  });
});
