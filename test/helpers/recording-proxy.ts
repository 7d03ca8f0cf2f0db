import { createServer, request as httpRequest, type Server } from 'node:http';
import type { Response } from 'openai/resources/responses/responses';
import { listenOnLoopback } from './loopback.js';

/** One exchange as it crossed the wire between a client and the sim. */
export interface RecordedExchange {
  method: string;
  path: string;
  status: number;
  /** The request's headers, names in lower case (Codex names its thread in `thread-id`). */
  headers: Record<string, string>;
  /** The request body as JSON (null when it was not JSON). */
  body: Record<string, unknown> | null;
  /** The final Response of a streamed or JSON answer (null for anything else). */
  response: Response | null;
}

export interface RecordingProxy {
  /** Base URL to give the client, e.g. `http://127.0.0.1:PORT/v1`. */
  url: string;
  exchanges: RecordedExchange[];
  /** WebSocket upgrade attempts (answered 404, as the sim does). */
  upgrades: string[];
  close(): Promise<void>;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** The Response in a JSON body, or in the last `response.completed`/`incomplete` SSE event. */
function finalResponse(contentType: string, text: string): Response | null {
  if (!contentType.includes('text/event-stream')) {
    const json = parseJson(text) as { object?: unknown } | null;
    return json?.object === 'response' ? (json as unknown as Response) : null;
  }
  let found: Response | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith('data: ')) continue;
    const event = parseJson(line.slice(6)) as { type?: string; response?: Response } | null;
    if (event?.type === 'response.completed' || event?.type === 'response.incomplete') {
      found = event.response ?? null;
    }
  }
  return found;
}

/**
 * An HTTP proxy in front of the sim that records every request body, status and final Response,
 * so a test can hold a real client's session log against what the sim answered.
 */
export async function startRecordingProxy(targetBaseUrl: string): Promise<RecordingProxy> {
  const target = new URL(targetBaseUrl);
  const exchanges: RecordedExchange[] = [];
  const upgrades: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host, 'accept-encoding': 'identity' },
        },
        (up) => {
          const out: Buffer[] = [];
          up.on('data', (c: Buffer) => out.push(c));
          up.on('end', () => {
            const text = Buffer.concat(out).toString('utf8');
            exchanges.push({
              method: req.method ?? '',
              path: (req.url ?? '').split('?')[0] ?? '',
              status: up.statusCode ?? 0,
              headers: Object.fromEntries(
                Object.entries(req.headers).flatMap(([name, value]) =>
                  typeof value === 'string' ? [[name, value]] : [],
                ),
              ),
              body: (parseJson(body.toString('utf8')) as Record<string, unknown> | null) ?? null,
              response: finalResponse(String(up.headers['content-type'] ?? ''), text),
            });
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(text);
          });
        },
      );
      upstream.on('error', (err) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`proxy: ${err.message}`);
      });
      upstream.end(body);
    });
  });
  server.on('upgrade', (req, socket) => {
    upgrades.push(`${req.method} ${req.url}`);
    socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}${target.pathname.replace(/\/$/, '')}`,
    exchanges,
    upgrades,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
