import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as it reached the proxy, body byte for byte. */
export interface CapturedRequest {
  method: string;
  path: string;
  /** The request's `prompt_cache_key` (one per sample in the floor benchmark), or `(none)`. */
  conversation: string;
  body: Buffer;
}

function conversationOf(body: Buffer): string {
  try {
    const key = (JSON.parse(body.toString('utf8')) as { prompt_cache_key?: unknown }).prompt_cache_key;
    return typeof key === 'string' ? key : '(none)';
  } catch {
    return '(unparsable)';
  }
}

/**
 * An HTTP proxy in front of the sim that keeps every request body it forwards, so the bodies two
 * clients send can be compared byte for byte. Responses are streamed back untouched.
 */
export class CaptureProxy {
  readonly requests: CapturedRequest[] = [];
  private server: Server | null = null;
  private readonly agent = new Agent({ keepAlive: true });

  constructor(private readonly target: URL) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        this.requests.push({
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          conversation: conversationOf(body),
          body,
        });
        const headers = { ...req.headers, host: this.target.host };
        const upstream = request(
          {
            host: this.target.hostname,
            port: this.target.port,
            method: req.method,
            path: req.url,
            headers,
            agent: this.agent,
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on('error', (error) => {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`capture proxy: ${error.message}`);
        });
        upstream.end(body);
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** The captured requests grouped by conversation, each in arrival order. */
  byConversation(): Map<string, CapturedRequest[]> {
    const groups = new Map<string, CapturedRequest[]>();
    for (const captured of this.requests) {
      const list = groups.get(captured.conversation) ?? [];
      list.push(captured);
      groups.set(captured.conversation, list);
    }
    return groups;
  }

  async close(): Promise<void> {
    this.agent.destroy();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export interface BodyComparison {
  conversations: number;
  requests: number;
  identical: boolean;
  /** The first difference, when there is one. */
  first_difference: string | null;
}

/** Are the two captures the same requests, conversation by conversation, byte for byte? */
export function compareCaptures(
  expected: Map<string, CapturedRequest[]>,
  actual: Map<string, CapturedRequest[]>,
): BodyComparison {
  let requests = 0;
  let difference: string | null = null;
  if (expected.size !== actual.size)
    difference = `${expected.size} conversations sent by turnbench, ${actual.size} by the floor`;
  for (const [conversation, sent] of expected) {
    const replayed = actual.get(conversation) ?? [];
    requests += sent.length;
    if (difference) continue;
    if (replayed.length !== sent.length) {
      difference = `${conversation}: ${sent.length} requests by turnbench, ${replayed.length} by the floor`;
      continue;
    }
    sent.forEach((a, i) => {
      const b = replayed[i]!;
      if (difference) return;
      if (a.method !== b.method || a.path !== b.path)
        difference = `${conversation} #${i}: ${a.method} ${a.path} vs ${b.method} ${b.path}`;
      else if (!a.body.equals(b.body)) {
        let at = 0;
        while (at < a.body.length && a.body[at] === b.body[at]) at++;
        difference = `${conversation} #${i}: bodies of ${a.body.length} and ${b.body.length} bytes differ from byte ${at}`;
      }
    });
  }
  return {
    conversations: expected.size,
    requests,
    identical: difference === null,
    first_difference: difference,
  };
}
