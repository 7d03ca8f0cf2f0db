import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SimServer } from '../../../src/sim/index.js';
import { EventRecordSchema, SampleRecordSchema, TurnRecordSchema } from '../../../src/telemetry/index.js';
import { assertBuilt, REPO, readJsonl, runCli, turnbenchContainers } from '../cli/helpers.js';
import { filesUnder, recordingUpstream, simForSuite } from './helpers.js';

const SECRET = 'sk-tb-command-secret-55e1d2';

function readRun(runDir: string) {
  return {
    samples: readJsonl(join(runDir, 'samples.jsonl')).map((l) => SampleRecordSchema.parse(l)),
    turns: readJsonl(join(runDir, 'turns.jsonl')).map((l) => TurnRecordSchema.parse(l)),
    events: readJsonl(join(runDir, 'events.jsonl')).map((l) => EventRecordSchema.parse(l)),
  };
}

/** `agent: command`: any agent CLI in the sandbox, its requests through the recording proxy. */
describe('command agents', () => {
  let sim: SimServer | null = null;
  let upstream: Awaited<ReturnType<typeof recordingUpstream>> | null = null;
  afterEach(async () => {
    await upstream?.close();
    await sim?.close();
  });

  it('runs pi, a second agent CLI from npm, over the Responses API and over Chat Completions', async () => {
    assertBuilt();
    const suite = 'test/fixtures/agents/pi/suite.yaml';
    sim = await simForSuite(join(REPO, suite));
    upstream = await recordingUpstream(sim.url);
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-pi-'));
    const result = await runCli(['run', suite, '--run-id', 'pi', '--results-dir', resultsDir], {
      env: { OPENAI_BASE_URL: upstream.url, TB_AGENT_TEST_KEY: SECRET },
    });
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    const runDir = join(resultsDir, 'pi');
    const { samples, turns, events } = readRun(runDir);
    expect(samples).toHaveLength(2);
    for (const s of samples) {
      expect(s, s.sample_id).toMatchObject({
        status: 'completed',
        passed: true,
        final_answer: 'Wrote a.txt and b.txt.',
      });
      expect(s.agent).toMatchObject({
        type: 'command',
        exit_code: 0,
        usage_check: { status: 'not_checked' },
      });
      const own = turns.filter((t) => t.sample_id === s.sample_id);
      expect(own.map((t) => t.turn)).toEqual([1, 2, 3, 4]);
      expect(own.slice(1).every((t) => t.prefix.extends_previous === true && t.cache_class === 'hit')).toBe(
        true,
      );
      expect(events.some((e) => e.type === 'agent' && e.sample_id === s.sample_id && e.exit_code === 0)).toBe(
        true,
      );
    }
    // what reached the provider: the real key, the right API, one request per recorded turn
    const responses = upstream.seen.filter((r) => r.path === '/v1/responses');
    const chat = upstream.seen.filter((r) => r.path === '/v1/chat/completions');
    expect(responses).toHaveLength(4);
    expect(chat).toHaveLength(4);
    for (const r of upstream.seen) expect(r.authorization).toBe(`Bearer ${SECRET}`);
    // a Chat Completions stream carries usage only when asked: the proxy asks
    for (const r of chat)
      expect(JSON.parse(r.body)).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    // pi names its session in a header on the Responses API; on Chat Completions the prompt's head tells
    const conversation = (variant: string) =>
      new Set(turns.filter((t) => t.variant === variant).map((t) => t.conversation));
    expect([...conversation('pi-responses')][0]).toMatch(/^[0-9a-f-]{36}$/);
    expect([...conversation('pi-chat')][0]).toMatch(/^prefix-/);
    for (const file of filesUnder(runDir)) expect(readFileSync(file, 'utf8')).not.toContain(SECRET);
    expect(await turnbenchContainers('pi')).toEqual([]);
  }, 240_000);

  it('runs a small agent on the openai SDK: the task on stdin, failed requests retried by the proxy', async () => {
    assertBuilt();
    const suite = 'test/fixtures/agents/sdk-agent/suite.yaml';
    sim = await simForSuite(join(REPO, suite));
    upstream = await recordingUpstream(sim.url, { failPosts: [2] });
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-sdk-'));
    const result = await runCli(['run', suite, '--run-id', 'sdk', '--results-dir', resultsDir], {
      env: { OPENAI_BASE_URL: upstream.url, TB_AGENT_TEST_KEY: SECRET },
    });
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    const { samples, turns, events } = readRun(join(resultsDir, 'sdk'));
    expect(samples[0]).toMatchObject({
      status: 'completed',
      passed: true,
      final_answer: 'Three files.',
      turns: 4,
    });
    // five requests reached the provider: the second failed and the proxy sent it again
    expect(upstream.seen.filter((r) => r.method === 'POST')).toHaveLength(5);
    expect(turns.map((t) => t.retries)).toEqual([0, 1, 0, 0]);
    const retry = events.find((e) => e.type === 'retry');
    expect(retry).toMatchObject({ turn: 2, attempt: 1, status: 500 });
  }, 180_000);

  it('a request nested past what recursion can follow is recorded, and the run goes on', async () => {
    assertBuilt();
    const suite = 'test/fixtures/agents/hostile-request/suite.yaml';
    sim = await simForSuite(join(REPO, suite));
    // The sim refuses tools nested that deep (500); this provider takes them: the sim gets the body without its tools.
    upstream = await recordingUpstream(sim.url, {
      toSim: (body) => {
        if (body.length < 100_000) return body;
        const { tools: _deep, ...rest } = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        return Buffer.from(JSON.stringify(rest));
      },
    });
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-hostile-request-'));
    const result = await runCli(['run', suite, '--run-id', 'hostile', '--results-dir', resultsDir], {
      env: { OPENAI_BASE_URL: upstream.url, TB_AGENT_TEST_KEY: SECRET },
    });
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    const { samples, turns, events } = readRun(join(resultsDir, 'hostile'));
    expect(samples.map((s) => [s.task_id, s.status, s.passed])).toEqual([
      ['deep', 'completed', true],
      ['plain', 'completed', true],
    ]);
    // the provider answered the nested request, and the proxy recorded it like any other; the plain
    // request after it and the next sample's are turns as usual
    expect(upstream.seen.filter((r) => r.method === 'POST')).toHaveLength(3);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    expect(turns.map((t) => [t.task_id, t.turn, t.input_tokens > 0])).toEqual([
      ['deep', 1, true],
      ['deep', 2, true],
      ['plain', 1, true],
    ]);
  }, 180_000);
});
