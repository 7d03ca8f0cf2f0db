import { createServer, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingProxy } from '../../../src/agents/index.js';
import { listenOnLoopback } from '../../helpers/loopback.js';
import { completed, openSample, sample, sse } from './proxy-helpers.js';

/**
 * The proxy passes a request body on as it arrives: the provider gets the head and the first bytes
 * while the agent is still sending the rest (a hop that reads the whole body first adds its
 * transfer time to every request). The record still holds the whole body.
 */
describe('the recording proxy streams request bodies', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('forwards the first half of a body before the agent sent the second, and records it whole', async () => {
    let bytesAtProvider = 0;
    const expectHeaders: Array<string | undefined> = [];
    let providerSawRequest: () => void = () => {};
    const sawRequest = new Promise<void>((resolve) => {
      providerSawRequest = resolve;
    });
    const received: Buffer[] = [];
    const provider = createServer((req: IncomingMessage, res) => {
      providerSawRequest();
      expectHeaders.push(req.headers.expect);
      req.on('data', (chunk: Buffer) => {
        received.push(chunk);
        bytesAtProvider += chunk.length;
      });
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(sse('response.created', { response: { id: 'resp_1' } }) + completed('resp_1'));
      });
    });
    const port = await listenOnLoopback(provider);
    closers.push(() => new Promise<void>((r) => provider.close(() => r())));

    const proxy = new RecordingProxy();
    closers.push(() => proxy.close());
    const recorded = sample();
    const { socketPath, close } = await openSample(proxy, `http://127.0.0.1:${port}/v1`, recorded.recorder);
    closers.push(close);

    const text = 'x'.repeat(200_000);
    const body = Buffer.from(
      JSON.stringify({ model: 'm', input: [{ role: 'user', content: text }], stream: true }),
    );
    const half = Math.floor(body.length / 2);
    const agent = connect(socketPath);
    closers.push(async () => {
      agent.destroy();
    });
    let answer = '';
    agent.on('data', (d: Buffer) => {
      answer += d.toString('utf8');
    });
    await new Promise<void>((resolve) => agent.once('connect', () => resolve()));
    agent.write(
      `POST /v1/responses HTTP/1.1\r\nhost: proxy\r\ncontent-type: application/json\r\nauthorization: Bearer placeholder\r\ncontent-length: ${body.length}\r\n\r\n`,
    );
    agent.write(body.subarray(0, half));

    // the provider has the request, and bytes of its body, while the agent holds back the rest
    await Promise.race([
      sawRequest,
      new Promise((_, reject) =>
        setTimeout(
          () => reject(new Error('the provider saw nothing before the whole body had arrived')),
          5000,
        ),
      ),
    ]);
    for (let i = 0; i < 200 && bytesAtProvider < half; i++) await new Promise((r) => setTimeout(r, 5));
    expect(bytesAtProvider).toBe(half);

    agent.write(body.subarray(half));
    for (let i = 0; i < 400 && !answer.includes('response.completed'); i++)
      await new Promise((r) => setTimeout(r, 5));
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer).toContain('response.completed');
    expect(Buffer.concat(received).equals(body)).toBe(true);
    await recorded.recorder.close();
    expect(recorded.turns).toHaveLength(1);
    expect(recorded.turns[0]?.bytes_sent).toBe(body.length);
    expect(recorded.turns[0]?.input_tokens).toBe(10);

    // curl asks before a large body (Expect: 100-continue): the proxy answers it, the provider never sees it
    answer = '';
    agent.write(
      `POST /v1/responses HTTP/1.1\r\nhost: proxy\r\ncontent-type: application/json\r\nexpect: 100-continue\r\ncontent-length: ${body.length}\r\n\r\n`,
    );
    for (let i = 0; i < 200 && !answer.includes('100 Continue'); i++)
      await new Promise((r) => setTimeout(r, 5));
    expect(answer).toMatch(/^HTTP\/1\.1 100 Continue/);
    agent.write(body);
    for (let i = 0; i < 400 && !answer.includes('response.completed'); i++)
      await new Promise((r) => setTimeout(r, 5));
    expect(answer).toContain('response.completed');
    expect(expectHeaders).toEqual([undefined, undefined]);
  });
});
