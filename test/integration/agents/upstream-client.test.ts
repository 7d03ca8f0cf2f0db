import { execFileSync } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { wholeBody } from '../../../src/agents/proxy/request-body.js';
import {
  MAX_IDLE_PER_ORIGIN,
  type UpstreamAnswer,
  UpstreamClient,
} from '../../../src/agents/proxy/upstream-client.js';
import { listenOnLoopback } from '../../helpers/loopback.js';

/**
 * The proxy's HTTP/1.1 client to the provider, against raw TCP servers that write exactly the
 * bytes a provider could: framings, keep-alive hints, a connection closed under a request.
 */

interface RawProvider {
  url: string;
  /** Connections accepted so far. */
  connections: () => number;
  /** Connections open now. */
  openNow: () => number;
  /** Request heads received, in order. */
  heads: string[];
  close: () => Promise<void>;
}

/**
 * A provider on a raw socket: `answer(head, socket, n)` is called once a request's head and
 * declared body have arrived (n counts requests on that connection, from 1).
 */
async function rawProvider(answer: (head: string, socket: Socket, n: number) => void): Promise<RawProvider> {
  let connections = 0;
  const heads: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createNetServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    let n = 0;
    socket.on('data', (data: Buffer) => {
      buffered = Buffer.concat([buffered, data]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.subarray(0, end).toString('latin1');
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        buffered = buffered.subarray(end + 4 + length);
        heads.push(head);
        answer(head, socket, ++n);
      }
    });
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    openNow: () => sockets.size,
    heads,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const chunked = (...parts: string[]) =>
  `${parts.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`).join('')}0\r\n\r\n`;

function readAll(answer: UpstreamAnswer): Promise<string> {
  return answer.body.text(1_000_000);
}

describe('UpstreamClient', () => {
  const closers: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });
  function client(options?: ConstructorParameters<typeof UpstreamClient>[0]) {
    const c = new UpstreamClient(options);
    closers.push(() => c.close());
    return c;
  }
  async function provider(answer: Parameters<typeof rawProvider>[0]) {
    const p = await rawProvider(answer);
    closers.push(p.close);
    return p;
  }
  const signal = () => new AbortController().signal;

  it('reads chunked, sized and close-delimited answers, and sends the body with its length', async () => {
    const p = await provider((head, socket) => {
      if (head.startsWith('POST /chunked'))
        socket.write(
          `HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${chunked('data: a\n\n', 'data: b\n\n')}`,
        );
      else if (head.startsWith('POST /sized'))
        socket.write('HTTP/1.1 201 Created\r\ncontent-length: 5\r\n\r\nhello');
      else socket.end('HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nuntil the end');
    });
    const c = client();
    const a = await c.request(
      new URL(`${p.url}/chunked`),
      'POST',
      {},
      wholeBody(Buffer.from('{"x":1}')),
      signal(),
    );
    expect(a.statusCode).toBe(200);
    expect(await readAll(a)).toBe('data: a\n\ndata: b\n\n');
    const b = await c.request(new URL(`${p.url}/sized`), 'POST', {}, wholeBody(Buffer.from('{}')), signal());
    expect([b.statusCode, await readAll(b)]).toEqual([201, 'hello']);
    const d = await c.request(new URL(`${p.url}/close`), 'POST', {}, wholeBody(Buffer.from('{}')), signal());
    expect(await readAll(d)).toBe('until the end');
    expect(p.heads[0]).toMatch(/^POST \/chunked HTTP\/1\.1\r\n/);
    expect(p.heads[0]).toMatch(/\r\ncontent-length: 7(\r\n|$)/);
    expect(p.heads[0]).toMatch(new RegExp(`\\r\\nhost: ${new URL(p.url).host}\\r\\n`));
  });

  it('reuses one connection for requests in turn, and opens another once the announced keep-alive time is near', async () => {
    const p = await provider((head, socket) => {
      const hint = head.includes('/short') ? 'keep-alive: timeout=1\r\n' : 'keep-alive: timeout=30\r\n';
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: 2\r\n${hint}\r\nok`);
    });
    const c = client();
    for (let i = 0; i < 3; i++) {
      const a = await c.request(new URL(`${p.url}/v1/x`), 'GET', {}, null, signal());
      await readAll(a);
    }
    expect(p.connections()).toBe(1);
    // timeout=1 leaves no time to reuse within (a 1 s margin): the next request opens a new connection
    await readAll(await c.request(new URL(`${p.url}/short`), 'GET', {}, null, signal()));
    await readAll(await c.request(new URL(`${p.url}/v1/x`), 'GET', {}, null, signal()));
    expect(p.connections()).toBe(2);
  });

  it('keeps at most MAX_IDLE_PER_ORIGIN sockets open after a burst of requests at once', async () => {
    const waiting: Socket[] = [];
    const burst = MAX_IDLE_PER_ORIGIN + 8;
    const p = await provider((_head, socket) => {
      waiting.push(socket);
      // answer once every request of the burst has arrived, so all of them are in flight together
      if (waiting.length === burst)
        for (const s of waiting) s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    });
    const c = client();
    const answers = await Promise.all(
      Array.from({ length: burst }, () => c.request(new URL(`${p.url}/x`), 'GET', {}, null, signal())),
    );
    expect(await Promise.all(answers.map(readAll))).toEqual(Array(burst).fill('ok'));
    expect(p.connections()).toBe(burst);
    for (let i = 0; i < 100 && p.openNow() > MAX_IDLE_PER_ORIGIN; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(p.openNow()).toBe(MAX_IDLE_PER_ORIGIN);
  });

  it('sends a request again on a fresh connection when a reused one was closed under it before any answer', async () => {
    // The keep-alive race: the provider drops an idle connection just as the next request goes out.
    const p = await provider((_head, socket, n) => {
      if (n === 2) socket.destroy();
      else socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    });
    const c = client();
    await readAll(await c.request(new URL(`${p.url}/a`), 'POST', {}, wholeBody(Buffer.from('1')), signal()));
    const again = await c.request(new URL(`${p.url}/b`), 'POST', {}, wholeBody(Buffer.from('2')), signal());
    expect(await readAll(again)).toBe('ok');
    expect(p.connections()).toBe(2);
    expect(p.heads.map((h) => h.split(' ')[1])).toEqual(['/a', '/b', '/b']);
  });

  it('fails a request whose fresh connection closes before any answer (no second try), and an answer cut midway', async () => {
    const p = await provider((head, socket) => {
      if (head.includes('/cut')) {
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial');
        setTimeout(() => socket.destroy(), 20);
      } else socket.destroy();
    });
    const c = client();
    await expect(
      c.request(new URL(`${p.url}/drop`), 'POST', {}, wholeBody(Buffer.from('x')), signal()),
    ).rejects.toThrow(/closed|reset|hang up|ECONNRESET/i);
    expect(p.heads).toHaveLength(1);
    const cut = await c.request(new URL(`${p.url}/cut`), 'POST', {}, wholeBody(Buffer.from('x')), signal());
    await expect(readAll(cut)).rejects.toThrow(/closed/);
  });

  it('skips an informational 103 answer, and does not reuse a connection answered before its body was sent', async () => {
    const p = await provider((head, socket) => {
      if (head.includes('/hints'))
        socket.write(
          'HTTP/1.1 103 Early Hints\r\nlink: </x>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nreal',
        );
      else socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    });
    const c = client();
    const hinted = await c.request(new URL(`${p.url}/hints`), 'GET', {}, null, signal());
    expect([hinted.statusCode, await readAll(hinted)]).toEqual([200, 'real']);

    // A body that never finishes arriving, and a provider that answers on the first bytes.
    const never = {
      length: 10,
      streamTo(sink: { write(chunk: Buffer): void }) {
        sink.write(Buffer.from('12345'));
        return () => {};
      },
    };
    const eagerServer = createNetServer((socket) => {
      socket.once('data', () => socket.write('HTTP/1.1 413 Too Large\r\ncontent-length: 0\r\n\r\n'));
      socket.on('error', () => {});
    });
    const port = await listenOnLoopback(eagerServer);
    closers.push(() => new Promise<void>((r) => eagerServer.close(() => r())));
    let eagerConnections = 0;
    eagerServer.on('connection', () => {
      eagerConnections += 1;
    });
    const first = await c.request(new URL(`http://127.0.0.1:${port}/up`), 'POST', {}, never, signal());
    expect(first.statusCode).toBe(413);
    await readAll(first);
    const second = await c.request(
      new URL(`http://127.0.0.1:${port}/up`),
      'POST',
      {},
      wholeBody(Buffer.from('x')),
      signal(),
    );
    expect(second.statusCode).toBe(413);
    expect(eagerConnections).toBe(2);
  });

  it('drops a connection on which the provider answers what nobody asked, and goes on on a fresh one', async () => {
    const p = await provider((_head, socket, n) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      // an answer to no request, on the now idle connection
      if (n === 1) setTimeout(() => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nextra'), 20);
    });
    const c = client();
    await readAll(await c.request(new URL(`${p.url}/a`), 'GET', {}, null, signal()));
    await new Promise((r) => setTimeout(r, 60));
    const next = await c.request(new URL(`${p.url}/b`), 'GET', {}, null, signal());
    expect(await readAll(next)).toBe('ok');
    expect(p.connections()).toBe(2);
  });

  it('fails an answer whose framing breaks midway, and does not reuse its connection', async () => {
    const p = await provider((head, socket) => {
      if (head.includes('/broken'))
        socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\nzz-not-hex\r\n');
      else if (head.includes('/bad-length')) socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2x\r\n\r\nok');
      // upper-case hex and a chunk extension are valid framing
      else
        socket.write(
          'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nA;name=value\r\n0123456789\r\n0\r\n\r\n',
        );
    });
    const c = client();
    const broken = await c.request(new URL(`${p.url}/broken`), 'GET', {}, null, signal());
    await expect(readAll(broken)).rejects.toThrow(/could not be read/);
    await expect(c.request(new URL(`${p.url}/bad-length`), 'GET', {}, null, signal())).rejects.toThrow(
      /could not be read: invalid content-length/,
    );
    expect(await readAll(await c.request(new URL(`${p.url}/next`), 'GET', {}, null, signal()))).toBe(
      '0123456789',
    );
    expect(p.connections()).toBe(3);
  });

  it('reads an answer that ends in trailers, and fails one whose chunk or trailer lines run on without end', async () => {
    const filler = (bytes: number) => 'a'.repeat(bytes);
    const p = await provider((head, socket) => {
      const start = 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n';
      if (head.includes('/trailers')) socket.write(`${start}0\r\nX-Checksum: abc\r\nX-More: d\r\n\r\n`);
      // header lines after the last chunk, never the blank line that ends them
      else if (head.includes('/endless-trailers')) {
        socket.write(`${start}0\r\n`);
        for (let i = 0; i < 40; i++) socket.write(`X-T${i}: ${filler(1000)}\r\n`);
      }
      // one trailer line that never ends
      else if (head.includes('/endless-line')) socket.write(`${start}0\r\nX-T: ${filler(40_000)}`);
      // a chunk's data running on past its declared size, with no CRLF
      else if (head.includes('/long-chunk')) socket.write(`${start.slice(0, -2)}${filler(40_000)}`);
    });
    const c = client();
    const get = (path: string) => c.request(new URL(`${p.url}${path}`), 'GET', {}, null, signal());
    expect(await readAll(await get('/trailers'))).toBe('hello');
    await expect(readAll(await get('/endless-trailers'))).rejects.toThrow(/trailers pass 16384 bytes/);
    await expect(readAll(await get('/endless-line'))).rejects.toThrow(/trailers pass 16384 bytes/);
    await expect(readAll(await get('/long-chunk'))).rejects.toThrow(/longer than its size says/);
  });

  it('cuts the request when its signal aborts, before or during the answer', async () => {
    const p = await provider((head, socket) => {
      if (head.includes('/slow-head')) return; // never answers
      socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n');
    });
    const c = client();
    const before = new AbortController();
    const pending = c.request(new URL(`${p.url}/slow-head`), 'GET', {}, null, before.signal);
    setTimeout(() => before.abort(new Error('the sample ended')), 20);
    await expect(pending).rejects.toThrow('the sample ended');
    const during = new AbortController();
    const answer = await c.request(new URL(`${p.url}/slow-body`), 'GET', {}, null, during.signal);
    const read = readAll(answer);
    during.abort(new Error('the agent closed the connection'));
    await expect(read).rejects.toThrow('the agent closed the connection');
  });

  it('fails at once a request whose agent went before its body was sent, letting go of the signal', async () => {
    const p = await provider(() => {});
    const c = client();
    const gone = {
      length: 10,
      streamTo(sink: { fail(error: Error): void }) {
        sink.fail(new Error('the agent closed the connection before its request was sent'));
        return () => {};
      },
    };
    const controller = new AbortController();
    await expect(c.request(new URL(`${p.url}/x`), 'POST', {}, gone, controller.signal)).rejects.toThrow(
      'the agent closed the connection before its request was sent',
    );
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('refuses header values that would split the request', async () => {
    const p = await provider(() => {});
    const c = client();
    await expect(
      c.request(new URL(`${p.url}/x`), 'GET', { 'x-evil': 'a\r\nx-injected: 1' }, null, signal()),
    ).rejects.toThrow(/invalid character/i);
    expect(p.connections()).toBe(0);
  });

  it('speaks TLS to an https provider, checking its certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(join(dir, 'cert.pem'));
    const server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (req, res) => {
      req.resume();
      req.on('end', () => res.end(`secure ${req.method} ${req.url}`));
    });
    const port = await listenOnLoopback(server);
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    closers.push(() => server.closeAllConnections());
    const trusted = client({ tls: { ca: cert } });
    const a = await trusted.request(
      new URL(`https://localhost:${port}/v1/responses`),
      'POST',
      {},
      wholeBody(Buffer.from('{}')),
      signal(),
    );
    expect(await readAll(a)).toBe('secure POST /v1/responses');
    // without the test CA the certificate is refused
    await expect(
      client().request(new URL(`https://localhost:${port}/v1/responses`), 'GET', {}, null, signal()),
    ).rejects.toThrow(/self[- ]signed|certificate/i);
  });
});
