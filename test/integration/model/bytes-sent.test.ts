import { createServer, type Server } from 'node:http';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatClient, ResponsesClient } from '../../../src/model/index.js';
import { type SimServer, startSimServer } from '../../../src/sim/index.js';
import { listenOnLoopback } from '../../helpers/loopback.js';

/**
 * bytes_sent must be the size of the body that really went over the wire: a loopback proxy in
 * front of the sim records what it received, and the clients must report the same numbers.
 */
let sim: SimServer;
let proxy: Server;
let proxyUrl: string;
const received: number[] = [];

beforeAll(async () => {
  sim = await startSimServer({});
  proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    received.push(body.length);
    const upstream = await fetch(`${sim.url}${req.url?.replace(/^\/v1/, '')}`, {
      method: req.method,
      headers: { 'content-type': 'application/json' },
      body,
    });
    res.writeHead(upstream.status, {
      'content-type': upstream.headers.get('content-type') ?? 'application/json',
    });
    if (upstream.body) Readable.fromWeb(upstream.body).pipe(res);
    else res.end();
  });
  proxyUrl = `http://127.0.0.1:${await listenOnLoopback(proxy)}/v1`;
});
afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise((r) => proxy.close(r));
  await sim.close();
});

const request = (text: string) => ({
  model: 'sim-1',
  instructions: 'Be brief.',
  tools: [],
  input: [
    { type: 'message' as const, role: 'user' as const, content: [{ type: 'input_text' as const, text }] },
  ],
  store: false,
  parallelToolCalls: true,
});

describe('bytes sent', () => {
  it('is the request body the server received, for both APIs and for compact', async () => {
    const options = { baseURL: proxyUrl, apiKey: 'k', provider: 'test' };
    const responses = new ResponsesClient(options);
    const chat = new ChatClient(options);

    received.length = 0;
    const small = await responses.respond(request('hello'));
    const large = await responses.respond(request('hello '.repeat(5000)));
    const viaChat = await chat.respond(request('hello there'));
    const compacted = await responses.compact({
      model: 'sim-1',
      instructions: 'Be brief.',
      input: request('x').input,
    });

    expect(received).toHaveLength(4);
    expect([small.bytesSent, large.bytesSent, viaChat.bytesSent, compacted.bytesSent]).toEqual(received);
    expect(large.bytesSent - small.bytesSent).toBeGreaterThanOrEqual(5000 * 6 - 5);
  });
});
