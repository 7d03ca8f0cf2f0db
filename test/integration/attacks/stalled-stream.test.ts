import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ChatClient,
  type ModelRequest,
  ResponsesClient,
  type RetryNotice,
} from '../../../src/model/index.js';
import { EventRecordSchema, SampleRecordSchema } from '../../../src/telemetry/index.js';
import { assertBuilt, readJsonl, runCli } from '../cli/helpers.js';
import { type FakeProvider, startFakeProvider } from './fake-provider.js';

/**
 * Finding 8 of issue 12: a stream that stalls after its headers was not retried after
 * `request_timeout_s` (the SDK's timeout ends at the headers); the sample waited for its wall
 * time. Idle time between stream events now counts against the request timeout.
 */

const request: ModelRequest = {
  model: 'fake-1',
  instructions: 'be brief',
  tools: [],
  input: [{ role: 'user', content: 'hi' }],
  store: false,
  parallelToolCalls: false,
};

let provider: FakeProvider | null = null;
afterEach(async () => {
  await provider?.close();
  provider = null;
});

describe('a stream that stalls after its headers (issue 12, finding 8)', () => {
  beforeAll(() => assertBuilt());

  for (const api of ['responses', 'chat'] as const) {
    it(`${api}: the stalled attempt is given up after the request timeout and retried`, async () => {
      provider = await startFakeProvider(['stall_after_first_event', 'answer']);
      const opts = { baseURL: provider.url, apiKey: 'k', provider: 'openai', requestTimeoutMs: 1000 };
      const client = api === 'chat' ? new ChatClient(opts) : new ResponsesClient(opts);
      const notices: RetryNotice[] = [];
      const started = Date.now();
      const response = await client.respond(request, { onRetry: (n) => notices.push(n) });
      expect(response.retries).toBe(1);
      expect(response.output[0]?.type).toBe('message');
      expect(notices[0]?.message).toMatch(/no stream event for 1s \(request_timeout_s\)/);
      expect(provider.requests.map((r) => r.behaviour)).toEqual(['stall_after_first_event', 'answer']);
      expect(Date.now() - started).toBeLessThan(15_000);
    });
  }

  it('the timeout is idle time, not total time: events 600 ms apart for 3 s pass a 1 s timeout', async () => {
    provider = await startFakeProvider(['slow_events']);
    const client = new ResponsesClient({
      baseURL: provider.url,
      apiKey: 'k',
      provider: 'openai',
      requestTimeoutMs: 1000,
    });
    const response = await client.respond(request);
    expect(response.retries).toBe(0);
    expect(response.latencyMs).toBeGreaterThan(2500);
  });

  it.each(['responses', 'chat'] as const)(
    '%s: an answer that never ends is read up to 64 MiB, then the attempt fails (the run keeps its memory)',
    async (api) => {
      provider = await startFakeProvider(['endless_line']);
      const opts = { baseURL: provider.url, apiKey: 'k', provider: 'openai' };
      const client = api === 'chat' ? new ChatClient(opts) : new ResponsesClient(opts);
      const error = await client.respond(request).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe(
        "the provider's answer passed 67108864 bytes; the rest was not read",
      );
      expect(provider.requests).toHaveLength(1); // not retried
    },
    60_000,
  );

  for (const api of ['responses', 'chat'] as const) {
    it(`${api}: the caller's abort cuts the request before its headers and mid-stream, connection and all`, async () => {
      provider = await startFakeProvider(['no_headers', 'stall_after_first_event']);
      const client =
        api === 'chat'
          ? new ChatClient({ baseURL: provider.url, apiKey: 'k', provider: 'openai' })
          : new ResponsesClient({ baseURL: provider.url, apiKey: 'k', provider: 'openai' });
      for (const behaviour of ['no_headers', 'stall_after_first_event'] as const) {
        const started = Date.now();
        const outcome = client.respond(request, { signal: AbortSignal.timeout(300) }).then(
          () => 'answered',
          () => 'failed',
        );
        // the request timeout is 10 minutes: only the caller's signal can end these
        expect(await outcome, behaviour).toBe('failed');
        expect(Date.now() - started).toBeLessThan(10_000);
        await expect.poll(() => provider?.cut, { timeout: 5_000 }).toContain(behaviour);
      }
      expect(provider.requests.map((r) => r.behaviour)).toEqual(['no_headers', 'stall_after_first_event']);
    }, 30_000);
  }

  it('the CLI: a sample whose first stream stalls finishes long before its wall time', async () => {
    provider = await startFakeProvider(['stall_after_first_event', 'stall_after_first_event', 'answer']);
    const dir = mkdtempSync(join(tmpdir(), 'tb-stall-'));
    mkdirSync(join(dir, 't'));
    writeFileSync(
      join(dir, 't/task.yaml'),
      'id: t\ninstructions: say done\nlimits: { wall_timeout_s: 300 }\nscorer: { type: match, expected: done }\n',
    );
    writeFileSync(
      join(dir, 'suite.yaml'),
      `name: stall\ntasks: [t]\nvariants:\n  - name: fake\n    provider: openai\n    base_url: ${provider.url}\n` +
        '    api_key_env: TB_FAKE_KEY\n    model: fake-1\n    request_timeout_s: 1\n    instructions: be brief\n',
    );
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-stall-res-'));
    const r = await runCli(
      [
        'run',
        join(dir, 'suite.yaml'),
        '--sandbox',
        'local',
        '--run-id',
        'stall',
        '--results-dir',
        resultsDir,
      ],
      { env: { TB_FAKE_KEY: 'fake-key-for-the-test' }, timeoutMs: 120_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const [sample] = readJsonl(join(resultsDir, 'stall/samples.jsonl')).map((l) =>
      SampleRecordSchema.parse(l),
    );
    expect(sample?.status).toBe('completed');
    expect(sample?.passed).toBe(true);
    expect(sample?.wall_ms).toBeLessThan(60_000);
    const retries = readJsonl(join(resultsDir, 'stall/events.jsonl'))
      .map((l) => EventRecordSchema.parse(l))
      .filter((e) => e.type === 'retry');
    expect(retries).toHaveLength(2);
    expect(retries[0]?.type === 'retry' && retries[0].message).toMatch(/no stream event for 1s/);
  }, 150_000);
});
