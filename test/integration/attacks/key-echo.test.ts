import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SampleRecordSchema } from '../../../src/telemetry/index.js';
import { assertBuilt, readJsonl, runCli } from '../cli/helpers.js';
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
