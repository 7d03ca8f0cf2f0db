import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyTotals } from '../../../src/agent/index.js';
import { type RecordingProxy, SampleRecorder } from '../../../src/agents/index.js';
import type { ExchangeRecorder } from '../../../src/agents/proxy/sample-recorder.js';
import type { RequestGate } from '../../../src/agents/proxy/server.js';
import { DEFAULT_LIMITS, type ResolvedLimits } from '../../../src/config/index.js';
import type { EventRecord, TurnRecord } from '../../../src/telemetry/index.js';
import { listenOnLoopback } from '../../helpers/loopback.js';

/** A stand-in provider, an agent's request over the proxy's unix socket, and a sample's recorder, for the proxy tests. */

export const sse = (type: string, data: object) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
export const completed = (id: string) =>
  sse('response.completed', {
    response: {
      id,
      model: 'm',
      status: 'completed',
      output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'hi' }] }],
      usage: { input_tokens: 10, output_tokens: 2, input_tokens_details: { cached_tokens: 0 } },
    },
  });

/** A provider stand-in: streams a first event at once and the rest after `pauseMs`; notes what it got. */
export async function slowProvider(pauseMs: number) {
  const seen: Array<{ path: string; authorization: string | undefined }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let n = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
    req.resume();
    req.on('end', () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const id = `resp_${++n}`;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(
        sse('response.created', { response: { id } }) + sse('response.output_text.delta', { delta: 'h' }),
      );
      setTimeout(() => {
        inFlight -= 1;
        res.end(completed(id));
      }, pauseMs);
    });
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}/v1`,
    seen,
    maxInFlight: () => maxInFlight,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function post(
  socketPath: string,
  path: string,
  body: object,
  key = 'placeholder',
  method = path.endsWith('/models') ? 'GET' : 'POST',
) {
  return new Promise<{ status: number; firstChunkMs: number; totalMs: number; text: string }>(
    (resolve, reject) => {
      const t0 = performance.now();
      let first = -1;
      let text = '';
      const req = request(
        {
          socketPath,
          path,
          method,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        },
        (res) => {
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (first < 0) first = performance.now() - t0;
            text += chunk;
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              firstChunkMs: first,
              totalMs: performance.now() - t0,
              text,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(method === 'GET' || method === 'DELETE' ? undefined : JSON.stringify(body));
    },
  );
}

export function sample(limits: ResolvedLimits = DEFAULT_LIMITS) {
  const turns: TurnRecord[] = [];
  const events: EventRecord[] = [];
  const recorder = new SampleRecorder({
    identity: { runId: 'r', sampleId: 's', taskId: 't', variant: 'v', epoch: 1 },
    provider: 'openai',
    costOf: () => 0,
    sink: { turn: (t) => turns.push(t), event: (e) => events.push(e) },
    totals: emptyTotals(),
    limits,
    onLimit: () => {},
  });
  return { recorder, turns, events };
}

export const body = { model: 'm', input: [{ role: 'user', content: 'hello' }], stream: true };

/** One sample on `proxy`, forwarding to `baseURL` with the key `sk-real`: on a fresh unix socket, or a loopback TCP port. */
export async function openSample(
  proxy: RecordingProxy,
  baseURL: string,
  recorder: ExchangeRecorder,
  opts: { gate?: RequestGate | null; tcp?: boolean } = {},
) {
  const socketPath = join(mkdtempSync(join(tmpdir(), 'tb-proxy-')), 'proxy.sock');
  const listener = await proxy.openSample(
    {
      upstream: { baseURL, apiKey: 'sk-real' },
      recorder,
      retries: 'agent',
      signal: new AbortController().signal,
      runId: 'r',
      sampleId: 's',
      gate: opts.gate ?? null,
    },
    opts.tcp ? { tcp: true } : { socketPath },
  );
  return { socketPath, url: listener.url ?? '', close: () => listener.close() };
}
