import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../../helpers/loopback.js';

/**
 * A tiny OpenAI-compatible provider over real HTTP for attack tests: each request to
 * `/v1/responses` or `/v1/chat/completions` is answered by the next behaviour in the list (the
 * last one repeats). Behaviours: a normal streamed final answer, a 401 that echoes the
 * Authorization header back (or just the key, without `Bearer`), a stream that sends its headers and one event, then stalls, a
 * Responses stream whose five deltas come 600 ms apart, a stream that, after its first event,
 * sends one line that never ends, as fast as the client reads, or no answer at all (not even headers).
 */
export type Behaviour =
  | 'answer'
  | 'echo_key_401'
  | 'echo_bare_key_401'
  | 'stall_after_first_event'
  | 'slow_events'
  | 'endless_line'
  | 'no_headers';

export interface FakeProvider {
  url: string;
  /** Requests seen, in order: path and the behaviour used. */
  requests: Array<{ path: string; behaviour: Behaviour }>;
  /** Requests whose connection the client closed before the answer ended, in order of closing. */
  cut: Behaviour[];
  close(): Promise<void>;
}

function sse(res: ServerResponse, name: string, data: unknown): void {
  res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
}

const USAGE = { input_tokens: 10, output_tokens: 2, input_tokens_details: { cached_tokens: 0 } };

function answerResponses(res: ServerResponse, text: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const item = {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    status: 'completed',
    content: [{ type: 'output_text', text, annotations: [] }],
  };
  const response = {
    id: 'resp_1',
    object: 'response',
    model: 'fake-1',
    status: 'completed',
    output: [item],
    usage: USAGE,
  };
  sse(res, 'response.created', {
    type: 'response.created',
    sequence_number: 0,
    response: { ...response, status: 'in_progress', output: [] },
  });
  sse(res, 'response.output_text.delta', {
    type: 'response.output_text.delta',
    sequence_number: 1,
    item_id: 'msg_1',
    output_index: 0,
    content_index: 0,
    delta: text,
    logprobs: [],
  });
  sse(res, 'response.completed', { type: 'response.completed', sequence_number: 2, response });
  res.end();
}

async function slowResponses(res: ServerResponse, text: string): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const base = { id: 'resp_1', object: 'response', model: 'fake-1' };
  sse(res, 'response.created', {
    type: 'response.created',
    sequence_number: 0,
    response: { ...base, status: 'in_progress', output: [] },
  });
  for (let i = 1; i <= 5; i++) {
    await new Promise((r) => setTimeout(r, 600));
    sse(res, 'response.output_text.delta', {
      type: 'response.output_text.delta',
      sequence_number: i,
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      delta: '.',
      logprobs: [],
    });
  }
  const item = {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    status: 'completed',
    content: [{ type: 'output_text', text, annotations: [] }],
  };
  sse(res, 'response.completed', {
    type: 'response.completed',
    sequence_number: 6,
    response: { ...base, status: 'completed', output: [item], usage: USAGE },
  });
  res.end();
}

function answerChat(res: ServerResponse, text: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const chunk = (delta: object, finish: string | null, usage?: object) =>
    `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'fake-1', choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`;
  res.write(chunk({ role: 'assistant', content: text }, null));
  res.write(chunk({}, 'stop'));
  res.write(chunk({}, null, { prompt_tokens: 10, completion_tokens: 2 }));
  res.end('data: [DONE]\n\n');
}

export async function startFakeProvider(behaviours: Behaviour[], finalText = 'done'): Promise<FakeProvider> {
  const requests: FakeProvider['requests'] = [];
  const cut: Behaviour[] = [];
  const stalled = new Set<ServerResponse>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const path = req.url ?? '';
      const behaviour = behaviours[Math.min(requests.length, behaviours.length - 1)] ?? 'answer';
      requests.push({ path, behaviour });
      res.on('close', () => {
        if (!res.writableFinished) cut.push(behaviour);
      });
      const chat = path.includes('/chat/completions');
      if (behaviour === 'no_headers') {
        stalled.add(res);
        return;
      }
      if (behaviour === 'echo_key_401' || behaviour === 'echo_bare_key_401') {
        const header = req.headers.authorization ?? '(none)';
        const auth = behaviour === 'echo_key_401' ? header : header.replace(/^Bearer /, '');
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: {
              message: `invalid key: ${auth}`,
              type: 'invalid_request_error',
              code: 'invalid_api_key',
            },
          }),
        );
        return;
      }
      if (behaviour === 'stall_after_first_event') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        if (chat)
          res.write(
            `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'fake-1', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })}\n\n`,
          );
        else
          sse(res, 'response.created', {
            type: 'response.created',
            sequence_number: 0,
            response: {
              id: 'resp_0',
              object: 'response',
              model: 'fake-1',
              status: 'in_progress',
              output: [],
            },
          });
        stalled.add(res); // never ends: the connection stays open with nothing more to say
        return;
      }
      if (behaviour === 'endless_line') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: ');
        const chunk = Buffer.alloc(1 << 20, 0x61);
        const pump = () => {
          while (!res.destroyed && res.write(chunk)) {}
          if (!res.destroyed) res.once('drain', pump);
        };
        stalled.add(res);
        pump();
        return;
      }
      if (behaviour === 'slow_events' && !chat) {
        void slowResponses(res, finalText);
        return;
      }
      if (chat) answerChat(res, finalText);
      else answerResponses(res, finalText);
    });
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    cut,
    close: async () => {
      for (const res of stalled) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
