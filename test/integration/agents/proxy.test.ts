import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { RecordingProxy } from '../../../src/agents/index.js';
import { DEFAULT_LIMITS } from '../../../src/config/index.js';
import { requestGate, resetLimiters } from '../../../src/runner/model-limits.js';
import { REDACTED } from '../../../src/secrets/index.js';
import { body, completed, openSample, post, sample, slowProvider, sse } from './proxy-helpers.js';

describe('the recording proxy', () => {
  const proxy = new RecordingProxy();
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    resetLimiters();
  });

  async function open(
    upstream: string,
    s: ReturnType<typeof sample>,
    gate: ReturnType<typeof requestGate> = null,
  ) {
    const opened = await openSample(proxy, upstream, s.recorder, { gate });
    closers.push(opened.close);
    return opened.socketPath;
  }

  it('streams the answer through as it comes, with the real key upstream, and records the turn', async () => {
    const provider = await slowProvider(400);
    closers.push(provider.close);
    const s = sample();
    const socket = await open(provider.url, s);
    const answer = await post(socket, '/v1/responses', body);
    expect(answer.status).toBe(200);
    // the first event reached the agent long before the provider finished
    expect(answer.firstChunkMs).toBeLessThan(answer.totalMs - 200);
    expect(answer.text).toContain('response.completed');
    expect(provider.seen).toEqual([{ path: '/v1/responses', authorization: 'Bearer sk-real' }]);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.turns).toHaveLength(1);
    expect(s.turns[0]).toMatchObject({
      kind: 'agent',
      response_id: 'resp_1',
      input_tokens: 10,
      output_tokens: 2,
    });
    expect(s.turns[0]!.ttft_ms).toBeLessThan(200);
    expect(s.turns[0]!.latency_ms).toBeGreaterThanOrEqual(390);
  });

  it('forwards model endpoints only', async () => {
    const provider = await slowProvider(0);
    closers.push(provider.close);
    const socket = await open(provider.url, sample());
    const refused = await post(socket, '/v1/files', {});
    expect(refused.status).toBe(404);
    expect(refused.text).toContain('not a model endpoint');
    // Paths that URL parsing (or the provider) would resolve to another endpoint, key attached.
    for (const path of [
      '/v1/models/../files',
      '/v1/models/%2e%2e/files',
      '/v1/models/..%2ffiles',
      '/v1/models/..',
      '/v1/models\\..\\files',
      '/v1/responses/../files',
    ]) {
      const sneaky = await post(socket, path, {}, 'placeholder', path.includes('responses') ? 'POST' : 'GET');
      expect(sneaky.status, path).toBe(404);
    }
    expect(provider.seen).toEqual([]);
    // The positive control: a real model path still goes through.
    expect((await post(socket, '/v1/models/gpt-5.5', {}, 'placeholder', 'GET')).status).toBe(200);
    expect(provider.seen.map((r) => r.path)).toEqual(['/v1/models/gpt-5.5']);
  });

  it('refuses the request past a limit without forwarding it', async () => {
    const provider = await slowProvider(0);
    closers.push(provider.close);
    const socket = await open(provider.url, sample({ ...DEFAULT_LIMITS, max_turns: 1 }));
    expect((await post(socket, '/v1/responses', body)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    const refused = await post(socket, '/v1/responses', body);
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'turnbench_limit' } });
    expect(provider.seen).toHaveLength(1);
  });

  it("keeps to the endpoint's request budget across samples, holding a slot until the answer ends", async () => {
    const provider = await slowProvider(150);
    closers.push(provider.close);
    const gate = requestGate(provider.url, { concurrency: 1 });
    const a = await open(provider.url, sample(), gate);
    const b = await open(provider.url, sample(), gate);
    await Promise.all([
      post(a, '/v1/responses', body),
      post(b, '/v1/responses', body),
      post(a, '/v1/responses', body),
    ]);
    expect(provider.seen).toHaveLength(3);
    expect(provider.maxInFlight()).toBe(1);
  });

  it('takes the key out of every answer an echoing provider sends: a gzip 401, a split stream event, a WebSocket message', async () => {
    const KEY = `sk-live-${'9fQx'.repeat(10)}`;
    const raw: string[] = [];
    const server: Server = createServer((req, res) => {
      const auth = req.headers.authorization ?? '';
      req.resume();
      req.on('end', async () => {
        if (req.url === '/v1/chat/completions') {
          // compressed although asked not to, with a content-length the redacted body no longer has
          const text = JSON.stringify({ error: { message: `Incorrect API key provided: ${auth}` } });
          raw.push(text);
          const zipped = gzipSync(text);
          res.writeHead(401, {
            'content-type': 'application/json',
            'content-encoding': 'gzip',
            'content-length': zipped.length,
          });
          res.end(zipped);
          return;
        }
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const echo = sse('response.output_text.delta', { delta: `you sent ${auth}` });
        raw.push(echo);
        const middle = echo.indexOf(KEY) + 20;
        res.write(sse('response.created', { response: { id: 'resp_e' } }) + echo.slice(0, middle));
        await new Promise((r) => setTimeout(r, 150));
        res.write(echo.slice(middle));
        await new Promise((r) => setTimeout(r, 150));
        res.end(completed('resp_e'));
      });
    });
    const wss = new WebSocketServer({ server, path: '/v1/responses' });
    wss.on('connection', (socket, req) => {
      socket.on('message', () => {
        const message = JSON.stringify({
          type: 'error',
          error: { message: `bad key ${req.headers.authorization}` },
        });
        raw.push(message);
        socket.send(message);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          wss.close();
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const address = server.address();
    const port = address && typeof address === 'object' ? address.port : 0;
    const s = sample();
    const socketPath = join(mkdtempSync(join(tmpdir(), 'tb-proxy-')), 'proxy.sock');
    const listener = await proxy.openSample(
      {
        upstream: { baseURL: `http://127.0.0.1:${port}/v1`, apiKey: KEY },
        recorder: s.recorder,
        retries: 'agent',
        signal: new AbortController().signal,
        runId: 'r',
        sampleId: 's',
      },
      { socketPath },
    );
    closers.push(() => listener.close());

    const refused = await post(socketPath, '/v1/chat/completions', { model: 'm', messages: [] });
    const streamed = await post(socketPath, '/v1/responses', body);
    const ws = new WebSocket(`ws+unix://${socketPath}:/v1/responses`);
    const message = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ type: 'response.create', model: 'm', input: [] })));
      ws.on('message', (data) => resolve(data.toString()));
      ws.on('error', reject);
    });
    ws.close();

    // the control: the provider did send the key, three times
    expect(raw).toHaveLength(3);
    for (const text of raw) expect(text).toContain(KEY);
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.text)).toEqual({
      error: { message: `Incorrect API key provided: Bearer ${REDACTED}` },
    });
    expect(streamed.text).toContain(`you sent Bearer ${REDACTED}`);
    expect(streamed.text).toContain('response.completed');
    // streamed through, not held: the first event came before the provider's pauses were over
    expect(streamed.firstChunkMs).toBeLessThan(streamed.totalMs - 200);
    expect(JSON.parse(message)).toEqual({ type: 'error', error: { message: `bad key Bearer ${REDACTED}` } });
    for (const text of [refused.text, streamed.text, message]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain('9fQx9fQx');
    }
    // the answer was still read for the record (the tap reads what the provider sent)
    await new Promise((r) => setTimeout(r, 50));
    expect(s.turns.map((t) => t.response_id)).toContain('resp_e');
  });
});
