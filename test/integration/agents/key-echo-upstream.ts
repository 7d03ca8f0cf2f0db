import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../../helpers/loopback.js';

/** In a task's instructions: the provider refuses the request with a 401 quoting the key. */
export const REFUSE_MARKER = 'PLEASE_REFUSE_WITH_401';
/** In the sim's answer: replaced by the Authorization header the provider got. */
export const ECHO_MARKER = 'ECHO_AUTH';

export interface KeyEchoingUpstream {
  url: string;
  /** Answers (events or 401 bodies) that carried the Authorization header back. */
  echoes: number;
  /** Echoes whose key was sent in two writes, some time apart. */
  splitEchoes: number;
  /** Authorization headers seen. */
  authorizations: string[];
  close(): Promise<void>;
}

/**
 * A misbehaving provider in front of the sim, for the key-echo attack on agent runs: a request
 * whose body holds REFUSE_MARKER gets `401 Incorrect API key provided: Bearer <key>`; otherwise the
 * sim answers, and every ECHO_MARKER in its stream is replaced by the request's Authorization header,
 * the event that holds it sent in two writes split inside the key, 50 ms apart (so the key reaches
 * the proxy in two chunks). WebSocket upgrades are refused (the agent falls back to HTTP).
 */
export async function keyEchoingUpstream(simUrl: string): Promise<KeyEchoingUpstream> {
  const target = new URL(simUrl);
  const state = { echoes: 0, splitEchoes: 0, authorizations: [] as string[] };

  const answer = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const auth = req.headers.authorization ?? '';
    state.authorizations.push(auth);
    if (body.includes(REFUSE_MARKER)) {
      state.echoes += 1;
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: {
            message: `Incorrect API key provided: ${auth}. You can find your API key in your account.`,
            type: 'invalid_request_error',
            code: 'invalid_api_key',
          },
        }),
      );
      return;
    }
    const sim = await new Promise<IncomingMessage>((resolve, reject) => {
      const headers = { ...req.headers, 'content-length': String(body.length) };
      const out = request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers },
        resolve,
      );
      out.on('error', reject);
      out.end(body);
    });
    const headers = { ...sim.headers };
    delete headers['content-length'];
    res.writeHead(sim.statusCode ?? 502, headers);
    let pending = '';
    const send = async (event: string) => {
      if (!event.includes(ECHO_MARKER)) {
        res.write(event);
        return;
      }
      state.echoes += 1;
      const echoed = event.replaceAll(ECHO_MARKER, auth);
      const middle = echoed.indexOf(auth) + Math.floor(auth.length / 2);
      res.write(echoed.slice(0, middle));
      await new Promise((r) => setTimeout(r, 50));
      res.write(echoed.slice(middle));
      state.splitEchoes += 1;
    };
    for await (const chunk of sim) {
      pending += (chunk as Buffer).toString('utf8');
      for (let end = pending.indexOf('\n\n'); end >= 0; end = pending.indexOf('\n\n')) {
        await send(pending.slice(0, end + 2));
        pending = pending.slice(end + 2);
      }
    }
    if (pending) await send(pending);
    res.end();
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      answer(req, res, Buffer.concat(chunks)).catch(() => res.destroy());
    });
  });
  server.on('upgrade', (_req, socket) => {
    socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}/v1`,
    get echoes() {
      return state.echoes;
    },
    get splitEchoes() {
      return state.splitEchoes;
    },
    authorizations: state.authorizations,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
