import { createServer, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { RecordingProxy } from '../../../src/agents/index.js';
import { MAX_BODY_BYTES, MAX_CONNECTIONS_PER_SAMPLE } from '../../../src/agents/proxy/size-limits.js';
import { listenOnLoopback } from '../../helpers/loopback.js';
import { body, openSample, post, sample, slowProvider } from './proxy-helpers.js';

/**
 * An agent runs whatever its task makes it run, so the proxy's side of the socket is an attack
 * surface: one sample must not be able to fill the run's memory or use up its sockets.
 */
describe('the recording proxy against a hostile agent', () => {
  const proxy = new RecordingProxy();
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  async function open(upstream?: string) {
    const provider = await slowProvider(0);
    closers.push(provider.close);
    const recorded = sample();
    const { socketPath, close } = await openSample(proxy, upstream ?? provider.url, recorded.recorder);
    closers.push(close);
    return { provider, socketPath, events: recorded.events };
  }

  /** POSTs `total` bytes in 1 MiB chunks; the answer's status, or the error that ended the upload. */
  function upload(socketPath: string, total: number, declareLength: boolean) {
    return new Promise<{ status: number | null; error: string | null }>((resolve) => {
      const req = request(
        {
          socketPath,
          path: '/v1/responses',
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(declareLength && { 'content-length': total }) },
        },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? null, error: null });
        },
      );
      req.on('error', (error) =>
        resolve({ status: null, error: (error as NodeJS.ErrnoException).code ?? 'error' }),
      );
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
  }

  it('refuses a body declared larger than the cap, forwarding nothing, and serves the next request', async () => {
    const { provider, socketPath, events } = await open();
    const answer = await upload(socketPath, MAX_BODY_BYTES + 1, true);
    // The proxy answers before the upload ends and closes the connection: the client may see either.
    expect(answer.status ?? answer.error).toSatisfy(
      (v: unknown) => v === 413 || v === 'EPIPE' || v === 'ECONNRESET',
    );
    expect(provider.seen).toEqual([]);
    // The sample's events say why its agent got no answer.
    expect(events.map((e) => ('message' in e ? e.message : ''))).toEqual([
      `turnbench proxy: POST /v1/responses: request body over ${MAX_BODY_BYTES} bytes; not forwarded`,
    ]);
    expect((await post(socketPath, '/v1/responses', body)).status).toBe(200);
  });

  it('stops reading a streamed body once it passes the cap, and forwards nothing', async () => {
    const { provider, socketPath } = await open();
    const answer = await upload(socketPath, MAX_BODY_BYTES + 8 * 1024 * 1024, false);
    expect(answer.status ?? answer.error).toSatisfy(
      (v: unknown) => v === 413 || v === 'EPIPE' || v === 'ECONNRESET',
    );
    expect(provider.seen).toEqual([]);
    expect((await post(socketPath, '/v1/responses', body)).status).toBe(200);
  });

  it('closes connections past the per-sample cap as they arrive, and serves again once they are gone', async () => {
    const { socketPath } = await open();
    const extra = 16;
    const sockets: Socket[] = [];
    const closedByProxy = await new Promise<number>((resolve) => {
      let closed = 0;
      for (let i = 0; i < MAX_CONNECTIONS_PER_SAMPLE + extra; i++) {
        const socket = connect(socketPath);
        socket.on('error', () => {});
        socket.on('close', () => {
          closed += 1;
        });
        sockets.push(socket);
      }
      setTimeout(() => resolve(closed), 1000);
    });
    expect(closedByProxy).toBe(extra);
    for (const socket of sockets) socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect((await post(socketPath, '/v1/responses', body)).status).toBe(200);
  });

  it('closes a WebSocket whose message passes the cap (1009), forwarding nothing of it', async () => {
    const server = createServer();
    const wss = new WebSocketServer({ server, path: '/v1/responses' });
    const received: number[] = [];
    wss.on('connection', (socket) => socket.on('message', (data: Buffer) => received.push(data.length)));
    const port = await listenOnLoopback(server);
    closers.push(async () => {
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const { socketPath } = await open(`http://127.0.0.1:${port}/v1`);
    const ws = new WebSocket(`ws+unix://${socketPath}:/v1/responses`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.on('error', () => {});
    const code = await new Promise<number>((resolve) => {
      ws.once('close', (c) => resolve(c));
      ws.send(Buffer.alloc(MAX_BODY_BYTES + 1, 0x20));
    });
    expect(code).toBe(1009);
    expect(received).toEqual([]);
  });
});
