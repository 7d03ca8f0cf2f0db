import { createServer, type IncomingMessage, request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyTotals } from '../../../src/agent/index.js';
import type { RecordThread as RecordThreadType } from '../../../src/agents/index.js';
import { RecordingProxy } from '../../../src/agents/index.js';
import { DEFAULT_LIMITS, loadPricing } from '../../../src/config/index.js';
import type { TurnRecord } from '../../../src/telemetry/index.js';
import { listenOnLoopback } from '../../helpers/loopback.js';
import { assertBuilt } from '../cli/helpers.js';
import { completed, openSample, sse } from './proxy-helpers.js';

/**
 * The recording thread reads what the proxy passed: bodies large enough to arrive in many socket
 * reads (the proxy hands their concatenation to the thread without copying it) are read whole, a
 * conversation's second request is checked against its first, and the proxy goes on serving.
 */
describe('the recording thread behind the proxy', () => {
  const closers: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  function postRaw(socketPath: string, body: Buffer): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          socketPath,
          path: '/v1/responses',
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': body.length,
            authorization: 'Bearer placeholder',
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            text += d;
          });
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  it('records requests of many socket reads whole, the second extending the first', async () => {
    const received: number[] = [];
    const provider = createServer((req: IncomingMessage, res) => {
      let bytes = 0;
      req.on('data', (c: Buffer) => {
        bytes += c.length;
      });
      req.on('end', () => {
        received.push(bytes);
        const id = `resp_${received.length}`;
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(sse('response.created', { response: { id } }) + completed(id));
      });
    });
    const port = await listenOnLoopback(provider);
    closers.push(() => new Promise<void>((r) => provider.close(() => r())));

    // The thread runs the built worker (dist/): vitest's TypeScript is not what a Worker loads.
    assertBuilt();
    const built = '../../../dist/src/agents/index.js';
    const { RecordThread } = (await import(built)) as { RecordThread: typeof RecordThreadType };
    const thread = new RecordThread(await loadPricing(undefined));
    closers.push(() => thread.close());
    const turns: TurnRecord[] = [];
    const recorder = thread.open({
      identity: { runId: 'r', sampleId: 's', taskId: 't', variant: 'v', epoch: 1 },
      provider: 'openai',
      sink: { turn: (t) => turns.push(t), event: () => {} },
      totals: emptyTotals(),
      limits: DEFAULT_LIMITS,
      onLimit: () => {},
    });
    const proxy = new RecordingProxy();
    closers.push(() => proxy.close());
    const { socketPath, close } = await openSample(proxy, `http://127.0.0.1:${port}/v1`, recorder);
    closers.push(close);

    // ~600 KB of distinct text: many reads of the proxy's unix socket
    const history = Array.from({ length: 60 }, (_, i) => ({
      role: 'user',
      content: `${i} `.repeat(5000),
    }));
    const first = Buffer.from(JSON.stringify({ model: 'm', input: history, stream: true, store: false }));
    const second = Buffer.from(
      JSON.stringify({
        model: 'm',
        // the first answer's output, then a new message: an extension of the first prompt
        input: [
          ...history,
          { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'hi' }] },
          { role: 'user', content: 'one more' },
        ],
        stream: true,
        store: false,
      }),
    );
    expect(await postRaw(socketPath, first)).toContain('response.completed');
    expect(await postRaw(socketPath, second)).toContain('response.completed');
    await recorder.close();

    expect(received).toEqual([first.length, second.length]);
    expect(turns.map((t) => [t.item_count, t.bytes_sent, t.prefix.extends_previous])).toEqual([
      [60, first.length, null],
      [62, second.length, true],
    ]);
    // the proxy serves on after handing the bodies over
    expect(await postRaw(socketPath, second)).toContain('response.completed');
  });
});
