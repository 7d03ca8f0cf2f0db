import { createServer, type IncomingMessage, type Server } from 'node:http';
import OpenAI from 'openai';
import type { Response } from 'openai/resources/responses/responses';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingProxy } from '../../../src/agents/index.js';
import { DEFAULT_LIMITS } from '../../../src/config/index.js';
import { startSimServer } from '../../../src/sim/index.js';
import { listenOnLoopback } from '../../helpers/loopback.js';
import { openSample, post, sample } from './proxy-helpers.js';

/**
 * The Responses API's endpoints besides create, through the recording proxy: forwarded with the
 * real key, never recorded as turns, never refused by a turn limit.
 */
describe('the recording proxy and the stored-response endpoints', () => {
  const proxy = new RecordingProxy();
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  async function openTcp(upstream: string, s: ReturnType<typeof sample>) {
    const { url, close } = await openSample(proxy, upstream, s.recorder, { tcp: true });
    closers.push(close);
    return url;
  }

  it('the real SDK through the proxy to the sim: every endpoint works, only creates are turns', async () => {
    const sim = await startSimServer({ seed: 5 });
    closers.push(() => sim.close());
    // a turn limit of 2: the other endpoints must not count against it
    const s = sample({ ...DEFAULT_LIMITS, max_turns: 2 });
    const client = new OpenAI({ baseURL: await openTcp(sim.url, s), apiKey: 'placeholder', maxRetries: 0 });

    const first = await client.responses.create({ model: 'sim-1', input: 'hello', store: true });
    expect(await client.responses.retrieve(first.id, { include: ['reasoning.encrypted_content'] })).toEqual(
      first,
    );
    const listed = [];
    for await (const item of client.responses.inputItems.list(first.id, { limit: 1, order: 'asc' })) {
      listed.push(item);
    }
    expect(listed).toMatchObject([{ type: 'message', role: 'user', content: [{ text: 'hello' }] }]);
    const counted = await client.responses.inputTokens.count({ model: 'sim-1', input: 'hello' });
    expect(counted).toEqual({ object: 'response.input_tokens', input_tokens: first.usage?.input_tokens });

    // the second and last turn the limit allows: a background one, polled to its end
    let background: Response = await client.responses.create({
      model: 'sim-1',
      input: 'later',
      background: true,
    });
    expect(background.status).toBe('queued');
    while (background.status === 'queued' || background.status === 'in_progress') {
      background = await client.responses.retrieve(background.id);
    }
    expect(background.status).toBe('completed');
    expect((await client.responses.cancel(background.id)).status).toBe('completed');
    await client.responses.delete(first.id);
    const gone = await client.responses.retrieve(first.id).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(OpenAI.NotFoundError);
    expect((gone as InstanceType<typeof OpenAI.NotFoundError>).error).toMatchObject({
      message: `Response with id '${first.id}' not found.`,
      type: 'invalid_request_error',
    });

    expect(sim.traffic.http).toEqual({
      'POST /v1/responses': 2,
      'GET /v1/responses/{id}': 3,
      'GET /v1/responses/{id}/input_items': 1,
      'POST /v1/responses/input_tokens': 1,
      'POST /v1/responses/{id}/cancel': 1,
      'DELETE /v1/responses/{id}': 1,
    });
    await new Promise((r) => setTimeout(r, 100));
    // the two creates are the sample's turns; nothing else was recorded
    expect(s.turns.map((t) => t.response_id)).toEqual([first.id, background.id]);
    // A background create's answer is `queued`, with no usage: its usage comes with the retrieve
    // that finds it finished, which is passed through unrecorded. So that turn counts no tokens,
    // and says so (docs/agents.md).
    expect(s.events.map((e) => [e.type, 'kind' in e ? e.kind : null, e.turn])).toEqual([
      ['error', 'no_usage', 2],
    ]);
    expect(s.turns.map((t) => t.input_tokens)).toEqual([first.usage?.input_tokens, 0]);
    // a third create is past the limit
    await expect(client.responses.create({ model: 'sim-1', input: 'x' })).rejects.toMatchObject({
      status: 400,
      code: 'turnbench_limit',
    });
    // ... and the stored-response endpoints still answer
    expect((await client.responses.retrieve(background.id)).id).toBe(background.id);
  });

  it('forwards exactly these paths with the real key, and refuses their look-alikes', async () => {
    const seen: Array<{ method: string; path: string; authorization: string | undefined }> = [];
    const server: Server = createServer((req: IncomingMessage, res) => {
      seen.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization });
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    const port = await listenOnLoopback(server);
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const s = sample();
    const { socketPath, close } = await openSample(proxy, `http://127.0.0.1:${port}/v1`, s.recorder);
    closers.push(close);

    const allowed: Array<[string, string]> = [
      ['GET', '/v1/responses/resp_1?include[]=reasoning.encrypted_content&stream=true&starting_after=3'],
      ['GET', '/v1/responses/resp_1/input_items?limit=2&order=asc&after=msg_1'],
      ['DELETE', '/v1/responses/resp_1'],
      ['POST', '/v1/responses/resp_1/cancel'],
      ['POST', '/v1/responses/input_tokens'],
    ];
    for (const [method, path] of allowed) {
      expect((await post(socketPath, path, {}, 'placeholder', method)).status, `${method} ${path}`).toBe(200);
    }
    expect(seen).toEqual(
      allowed.map(([method, path]) => ({ method, path, authorization: 'Bearer sk-real' })),
    );

    const refused: Array<[string, string]> = [
      ['GET', '/v1/responses/..'],
      ['GET', '/v1/responses/%2e%2e'],
      ['GET', '/v1/responses/..%2ffiles'],
      ['GET', '/v1/responses/../files'],
      ['GET', '/v1/responses/resp_1/../../files'],
      ['GET', '/v1/responses/resp_1/input_items/..'],
      ['GET', '/v1/responses/./input_items'],
      ['GET', '/v1/responses/..\\files'],
      ['GET', '/v1/responses/resp_1/cancel'],
      ['POST', '/v1/responses/resp_1'],
      ['PUT', '/v1/responses/resp_1'],
      ['DELETE', '/v1/responses/resp_1/input_items'],
      ['DELETE', '/v1/responses/..'],
      ['POST', '/v1/responses/../cancel'],
      ['POST', '/v1/responses/resp_1/cancel/..'],
      ['GET', '/v1/responses/input_tokens/../../files'],
      ['GET', '/v1/responses'],
      // routes, not response ids
      ['GET', '/v1/responses/compact'],
      ['DELETE', '/v1/responses/compact'],
      ['GET', '/v1/responses/input_tokens'],
      ['DELETE', '/v1/responses/input_tokens'],
    ];
    for (const [method, path] of refused) {
      const answer = await post(socketPath, path, {}, 'placeholder', method);
      expect(answer.status, `${method} ${path}`).toBe(404);
    }
    expect(seen).toHaveLength(allowed.length);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.turns).toEqual([]);
  });
});
