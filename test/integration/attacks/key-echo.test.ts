import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimServer } from '../../../src/sim/index.js';
import { SampleRecordSchema } from '../../../src/telemetry/index.js';
import { filesUnder, simForSuite } from '../agents/helpers.js';
import {
  ECHO_MARKER,
  type KeyEchoingUpstream,
  keyEchoingUpstream,
  REFUSE_MARKER,
} from '../agents/key-echo-upstream.js';
import { assertBuilt, type CliResult, REPO, readJsonl, runCli, turnbenchContainers } from '../cli/helpers.js';
import { type OtlpReceiver, startOtlpReceiver } from '../otel/otlp-receiver.js';
import { type FakeProvider, startFakeProvider } from './fake-provider.js';

/**
 * Finding 7 of issue 12: a provider that echoes the API key in its error (`401 invalid key:
 * Bearer sk-...`) got it into samples.jsonl, events.jsonl, report.html, samples.csv and stdout.
 * Two keys here: one shaped like an OpenAI key (echoed with `Bearer`), and one with no
 * recognisable shape echoed bare, which only the configured-secret redaction can catch.
 */

const SHAPED_KEY = `sk-proj-${'Zx81'.repeat(10)}Q`;
const PLAIN_KEY = 'correct-horse-battery-staple-7731';

let echoBearer: FakeProvider;
let echoBare: FakeProvider;
let collector: OtlpReceiver;
let resultsDir: string;
let outputs = '';

beforeAll(async () => {
  assertBuilt();
  echoBearer = await startFakeProvider(['echo_key_401']);
  echoBare = await startFakeProvider(['echo_bare_key_401']);
  collector = await startOtlpReceiver();
  const dir = mkdtempSync(join(tmpdir(), 'tb-keyecho-'));
  mkdirSync(join(dir, 't'));
  writeFileSync(
    join(dir, 't/task.yaml'),
    'id: t\ninstructions: say done\nscorer: { type: match, expected: done }\n',
  );
  const variant = (name: string, url: string, keyEnv: string) =>
    `  - name: ${name}\n    provider: openai\n    base_url: ${url}\n    api_key_env: ${keyEnv}\n    model: fake-1\n    instructions: be brief\n`;
  writeFileSync(
    join(dir, 'suite.yaml'),
    `name: keyecho\ntasks: [t]\nepochs: 2\nvariants:\n${variant('shaped', echoBearer.url, 'TB_SHAPED_KEY')}${variant('plain', echoBare.url, 'PROVIDER_CRED')}`,
  );
  resultsDir = mkdtempSync(join(tmpdir(), 'tb-keyecho-res-'));
  const env = { TB_SHAPED_KEY: SHAPED_KEY, PROVIDER_CRED: PLAIN_KEY };
  const run = await runCli(
    [
      'run',
      join(dir, 'suite.yaml'),
      '--sandbox',
      'local',
      '--run-id',
      'echo',
      '--results-dir',
      resultsDir,
      '--otel',
      collector.url,
      '--otel-content',
    ],
    { env },
  );
  // every sample ends in error (the provider refuses the key): no score, so the run failed (exit 1)
  expect(run.code, run.stderr).toBe(1);
  const report = await runCli(['report', 'echo', '--results-dir', resultsDir], { env });
  expect(report.code, report.stderr).toBe(0);
  const inspect = await runCli(['inspect', 'echo', '--results-dir', resultsDir, '--sample', 't__plain__e1'], {
    env,
  });
  const json = await runCli(['run', '--resume', 'echo', '--results-dir', resultsDir, '--json'], { env });
  outputs = [run, report, inspect, json].map((r) => `${r.stdout}\n${r.stderr}`).join('\n');
}, 180_000);

afterAll(async () => {
  await echoBearer?.close();
  await echoBare?.close();
  await collector?.close();
});

describe('a provider that echoes the API key (issue 12, finding 7)', () => {
  it('the attack happened: the providers echoed the keys and every sample failed on it', () => {
    expect(echoBearer.requests.length).toBeGreaterThanOrEqual(2);
    expect(echoBare.requests.length).toBeGreaterThanOrEqual(2);
    const samples = readJsonl(join(resultsDir, 'echo/samples.jsonl')).map((l) => SampleRecordSchema.parse(l));
    expect(samples).toHaveLength(4);
    for (const s of samples) {
      expect(s.status).toBe('error');
      expect(s.error?.message).toMatch(/^401 invalid key: .*\[redacted\]/);
    }
  });

  it('no results file, report or output holds either key', () => {
    // every file of the run folder, the run lock's owner files (.owner/) included
    const files = readdirSync(join(resultsDir, 'echo'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(join(resultsDir, 'echo'), join(e.parentPath, e.name)));
    for (const name of [
      'samples.jsonl',
      'events.jsonl',
      'turns.jsonl',
      'run.json',
      'report.html',
      'report.md',
      'samples.csv',
      'turns.csv',
    ])
      expect(files).toContain(name);
    for (const name of files) {
      const text = readFileSync(join(resultsDir, 'echo', name), 'utf8');
      expect(text, name).not.toContain(SHAPED_KEY);
      expect(text, name).not.toContain(PLAIN_KEY);
      expect(text, name).not.toContain('Zx81Zx81');
      expect(text, name).not.toContain('battery-staple');
    }
    // the live OpenTelemetry export sees records before the results writer does
    const exported = JSON.stringify(collector.spans);
    expect(collector.spans.some((span) => span.status.message.includes('[redacted]'))).toBe(true);
    expect(exported).not.toContain(SHAPED_KEY);
    expect(exported).not.toContain(PLAIN_KEY);
    expect(outputs).toContain('[redacted]');
    expect(outputs).not.toContain(SHAPED_KEY);
    expect(outputs).not.toContain(PLAIN_KEY);
    expect(outputs).not.toContain('battery-staple');
  });
});

/**
 * The same attack on agent runs: the recording proxy holds the real key and adds it upstream, and
 * the provider echoes it to the agent, in a 401 and inside a streamed event (split across two
 * chunks). The real Codex CLI and a careless `command` agent (which prints every answer whole, and
 * a copy of the key of its own) run in Docker; nothing in the run folder may hold the key.
 */
describe('a provider that echoes the key to an agent through the recording proxy', () => {
  const AGENT_KEY = `sk-proj-${'Kq7w'.repeat(12)}Zt`;
  let sim: SimServer;
  let upstream: KeyEchoingUpstream;
  let runDir: string;
  let run: CliResult;

  /** Files under `dir` (recursively) whose text holds `needle`. */
  const holding = (dir: string, needle: string) =>
    filesUnder(dir).filter((file) => readFileSync(file).toString('utf8').includes(needle));

  beforeAll(async () => {
    assertBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'tb-keyecho-agents-'));
    const task = (id: string, instructions: string, final: string) => {
      mkdirSync(join(dir, id));
      writeFileSync(
        join(dir, id, 'task.yaml'),
        `id: ${id}\ninstructions: ${JSON.stringify(instructions)}\nscorer: { type: match, expected: done }\nsim: { final: ${JSON.stringify(final)} }\n`,
      );
    };
    task('stream', 'Repeat what you were sent, then say done.', `${ECHO_MARKER} done`);
    task('refused', `Say done. ${REFUSE_MARKER}`, 'done');
    const reversed = [...AGENT_KEY].reverse().join('');
    const agent = join(REPO, 'test/fixtures/agents/key-echo/agent.mjs');
    writeFileSync(
      join(dir, 'suite.yaml'),
      [
        'name: keyecho-agents',
        'tasks: ["*/task.yaml"]',
        'concurrency: { samples: 4 }',
        'limits: { wall_timeout_s: 120 }',
        'variants:',
        '  - { name: codex, agent: codex, provider: openai, api_key_env: TB_ECHO_AGENT_KEY, model: sim-1, reasoning_effort: low }',
        '  - name: command',
        '    provider: openai',
        '    api_key_env: TB_ECHO_AGENT_KEY',
        '    model: sim-1',
        '    agent:',
        '      type: command',
        '      command: [node, /opt/agent/agent.mjs]',
        '      task: stdin',
        '      node: true',
        `      env: { ECHO_REVERSED: ${JSON.stringify(reversed)} }`,
        `      mounts: [{ source: ${JSON.stringify(agent)}, target: /opt/agent/agent.mjs }]`,
        '',
      ].join('\n'),
    );
    sim = await simForSuite(join(dir, 'suite.yaml'));
    upstream = await keyEchoingUpstream(sim.url);
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-keyecho-agents-res-'));
    runDir = join(resultsDir, 'echo-agents');
    run = await runCli(
      ['run', join(dir, 'suite.yaml'), '--run-id', 'echo-agents', '--results-dir', resultsDir],
      { env: { OPENAI_BASE_URL: upstream.url, TB_ECHO_AGENT_KEY: AGENT_KEY } },
    );
  }, 300_000);

  afterAll(async () => {
    await upstream?.close();
    await sim?.close();
  });

  it('the attack happened: the provider got the real key and echoed it, split across chunks and in 401s', () => {
    const samples = readJsonl(join(runDir, 'samples.jsonl')).map((l) => SampleRecordSchema.parse(l));
    expect(samples.map((s) => s.sample_id).sort(), run.stderr.slice(-3000)).toEqual([
      'refused__codex__e1',
      'refused__command__e1',
      'stream__codex__e1',
      'stream__command__e1',
    ]);
    expect(upstream.authorizations.length).toBeGreaterThanOrEqual(4);
    for (const auth of upstream.authorizations) expect(auth).toBe(`Bearer ${AGENT_KEY}`);
    // one streamed echo per stream sample at least (split inside the key), one 401 per refused request
    expect(upstream.splitEchoes).toBeGreaterThanOrEqual(2);
    expect(upstream.echoes).toBeGreaterThanOrEqual(4);
    // the agents got the echoes, redacted: Codex answered with it, the command agent printed it
    const stream = samples.find((s) => s.sample_id === 'stream__codex__e1');
    expect(stream?.final_answer).toContain('Bearer [redacted] done');
    const out = (sample: string, file: string) => readFileSync(join(runDir, 'samples', sample, file), 'utf8');
    expect(out('stream__command__e1', 'agent-stdout.txt')).toContain('Bearer [redacted] done');
    expect(out('stream__command__e1', 'agent-stderr.txt')).toContain('my own copy of the key: [redacted]');
    expect(out('refused__command__e1', 'agent-stderr.txt')).toContain(
      'Incorrect API key provided: Bearer [redacted]',
    );
    // Codex, refused, retried and gave up; what it printed of the 401 came through the proxy
    expect(out('refused__codex__e1', 'agent-stderr.txt')).toContain(
      'Incorrect API key provided: Bearer [redacted]',
    );
    // what the agent itself received, as it printed it in base64 (out of reach of any redaction of
    // its output): the proxy had taken the key out of the stream and out of the 401
    const received = (sample: string) => {
      const line = out(sample, 'agent-stdout.txt')
        .split('\n')
        .find((l) => l.startsWith('received (base64): '));
      return Buffer.from(line?.slice('received (base64): '.length) ?? '', 'base64').toString('utf8');
    };
    const streamed = received('stream__command__e1');
    expect(streamed).toContain('"type":"response.completed"');
    expect(streamed).toContain('Bearer [redacted] done');
    expect(streamed).not.toContain(AGENT_KEY);
    expect(received('refused__command__e1')).toContain('Incorrect API key provided: Bearer [redacted]');
    expect(received('refused__command__e1')).not.toContain(AGENT_KEY);
  });

  it('no file of the run folder holds the key, whole or in part; nor does the output', async () => {
    const files = filesUnder(runDir);
    // positive controls: the search reads every file, nested ones included (Codex's copied
    // session log holds the redacted echo), and finds the key where it is
    const rollouts = files.filter((f) => /codex\/sessions\/.*rollout-.*\.jsonl$/.test(f));
    expect(rollouts.length).toBeGreaterThanOrEqual(1);
    expect(holding(runDir, 'Bearer [redacted] done')).toEqual(
      expect.arrayContaining([expect.stringMatching(/stream__codex__e1\/codex\/sessions\/.*rollout-/)]),
    );
    const control = mkdtempSync(join(tmpdir(), 'tb-keyecho-control-'));
    mkdirSync(join(control, 'samples/x/codex/sessions'), { recursive: true });
    writeFileSync(join(control, 'samples/x/codex/sessions/rollout-1.jsonl'), `{"m":"${AGENT_KEY}"}\n`);
    expect(holding(control, AGENT_KEY)).toHaveLength(1);

    expect(files.length).toBeGreaterThan(10);
    const half = Math.floor(AGENT_KEY.length / 2);
    for (const needle of [AGENT_KEY, AGENT_KEY.slice(0, half), AGENT_KEY.slice(half), 'Kq7wKq7w']) {
      expect(holding(runDir, needle), needle).toEqual([]);
      expect(`${run.stdout}\n${run.stderr}`).not.toContain(needle);
    }
    expect(await turnbenchContainers('echo-agents')).toEqual([]);
  });
});
