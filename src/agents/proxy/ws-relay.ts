import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import WebSocket, { type RawData, WebSocketServer } from 'ws';
import { redact } from '../../secrets/index.js';
import { plainHeaders } from './read-request.js';
import { type ResponseTap, responsesEventTap } from './response-tap.js';
import type { Exchange } from './sample-recorder.js';
import type { SampleChannel } from './server.js';
import { MAX_BODY_BYTES } from './size-limits.js';
import { upstreamHeaders, upstreamUrl } from './upstream.js';

/** The agent side of relayed connections; compression is left off (both hops are on this machine or the provider's own). */
const agents = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_BODY_BYTES });
/** Headers of the provider's handshake answer (e.g. routing state) passed on to the agent. */
const handshakeHeaders = new WeakMap<IncomingMessage, string[]>();
agents.on('headers', (headers: string[], req: IncomingMessage) => {
  headers.push(...(handshakeHeaders.get(req) ?? []));
});

const PASSED_HANDSHAKE_HEADERS = /^(x-|openai-)/i;

function refuse(
  socket: Socket,
  status: number,
  reason: string,
  headers: Record<string, string> = {},
  body = '',
): void {
  const lines = [
    `HTTP/1.1 ${status} ${reason}`,
    'connection: close',
    `content-length: ${Buffer.byteLength(body)}`,
  ];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

/** A close code the other side may be sent (1005, 1006 and 1015 only describe what happened). */
function sendableCode(code: number): number {
  return code >= 1000 && code <= 4999 && ![1004, 1005, 1006, 1015].includes(code) ? code : 1000;
}

function toWebSocketUrl(url: URL): string {
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

const CREATE = '"response.create"';

/** A provider's message as the agent may get it: unchanged unless it held a secret. */
function redactedMessage(data: RawData): RawData {
  const bytes = Buffer.isBuffer(data)
    ? data
    : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]);
  const text = bytes.toString('utf8');
  const clean = redact(text);
  return clean === text ? data : Buffer.from(clean);
}

/**
 * The Responses API's WebSocket mode (`GET /v1/responses` upgraded): the proxy opens the same
 * connection to the provider first, with the real key, and completes the agent's handshake only
 * once the provider accepted; a refusal (the provider has no WebSocket mode) goes back to the agent
 * as it came, so the agent falls back to HTTP. Then messages are relayed both ways as they come;
 * each `response.create` opens an exchange, and the events until its terminal one are tapped.
 */
export function relayWebSocket(
  req: IncomingMessage,
  socket: Socket,
  head: Buffer,
  channel: SampleChannel,
): void {
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/v1/responses') {
    refuse(socket, 404, 'Not Found');
    return;
  }
  const upstream = upstreamUrl(channel.upstream.baseURL, (req.url ?? '').slice('/v1'.length));
  if (!upstream) {
    refuse(socket, 404, 'Not Found');
    return;
  }
  const target = toWebSocketUrl(upstream);
  const headers = upstreamHeaders(req.headers, channel.upstream) as Record<string, string>;
  delete headers['accept-encoding'];
  const provider = new WebSocket(target, { headers, perMessageDeflate: false });
  let opened = false;
  const failEarly = (status: number, reason: string, body = '') => {
    if (!opened) refuse(socket, status, reason, {}, body);
  };
  provider.on('unexpected-response', (_request, response) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => {
      const passed: Record<string, string> = {};
      const type = response.headers['content-type'];
      if (typeof type === 'string') passed['content-type'] = type;
      refuse(
        socket,
        response.statusCode ?? 502,
        response.statusMessage ?? 'Refused',
        passed,
        redact(Buffer.concat(chunks).toString('utf8')),
      );
    });
  });
  provider.on('upgrade', (response) => {
    const passed: string[] = [];
    for (const [name, value] of Object.entries(response.headers)) {
      if (typeof value === 'string' && PASSED_HANDSHAKE_HEADERS.test(name)) passed.push(`${name}: ${value}`);
    }
    handshakeHeaders.set(req, passed);
  });
  provider.on('error', (error) => failEarly(502, 'Bad Gateway', redact(`turnbench proxy: ${error.message}`)));
  const onSampleEnd = () => {
    provider.terminate();
    socket.destroy();
  };
  channel.signal.addEventListener('abort', onSampleEnd, { once: true });
  provider.on('open', () => {
    opened = true;
    agents.handleUpgrade(req, socket, head, (agent) =>
      relay(agent, provider, channel, req, () => {
        channel.signal.removeEventListener('abort', onSampleEnd);
      }),
    );
  });
}

function relay(
  agent: WebSocket,
  provider: WebSocket,
  channel: SampleChannel,
  req: IncomingMessage,
  done: () => void,
): void {
  let current: { exchange: Exchange; tap: ResponseTap; body: Buffer } | null = null;
  const finish = (error: string | null) => {
    if (!current) return;
    const { exchange, tap, body } = current;
    current = null;
    const outcome = {
      status: 200,
      error,
      ttftMs: tap.firstOutputAt !== null ? tap.firstOutputAt - exchange.t0 : null,
      latencyMs: performance.now() - exchange.t0,
    };
    channel.recorder.finish(
      exchange,
      { source: 'websocket', encoding: null, body, headers: plainHeaders(req.headers) },
      { ...outcome, response: tap.raw() },
    );
  };

  // The agent's messages go on in order; a request waits for its admission (the sample's limits).
  let queue: Promise<void> = Promise.resolve();
  agent.on('message', (data: RawData, isBinary: boolean) => {
    const bytes = Buffer.isBuffer(data)
      ? data
      : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]);
    const t0 = performance.now();
    queue = queue.then(() => relayOut(bytes, isBinary, t0)).catch(() => agent.terminate());
  });
  async function relayOut(bytes: Buffer, isBinary: boolean, t0: number): Promise<void> {
    // Only what a request looks like is checked now; it is read once its answer has ended.
    if (!isBinary && bytes.includes(CREATE)) {
      finish('a new request started before the last one ended');
      const admission = await channel.recorder.admit(t0, bytes.length);
      if (!admission.ok) {
        agent.send(
          JSON.stringify({ type: 'error', error: { message: admission.message, code: 'turnbench_limit' } }),
        );
        return;
      }
      current = { exchange: admission.exchange, tap: responsesEventTap(), body: bytes };
    }
    provider.send(bytes, { binary: isBinary });
  }
  provider.on('message', (data: RawData, isBinary: boolean) => {
    // A message is whole: the provider may echo the key in it, the agent gets it redacted.
    agent.send(redactedMessage(data), { binary: isBinary });
    if (isBinary || !current) return;
    current.tap.event(data.toString());
    if (current.tap.done) finish(null);
  });

  const closeBoth = (code: number, reason: Buffer) => {
    finish('the WebSocket connection closed before the response ended');
    if (agent.readyState === WebSocket.OPEN) agent.close(sendableCode(code), reason);
    if (provider.readyState === WebSocket.OPEN) provider.close(sendableCode(code), reason);
    done();
  };
  agent.on('close', closeBoth);
  provider.on('close', closeBoth);
  agent.on('error', () => provider.terminate());
  provider.on('error', () => agent.terminate());
}
