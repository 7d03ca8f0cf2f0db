import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SampleRecordSchema } from '../../../src/telemetry/index.js';
import { assertBuilt, CLI, REPO, readJsonl, runCli } from './helpers.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('a task image that does not build', () => {
  it('makes that task’s samples errors (no score) and lets the run go on, ending failed', async () => {
    assertBuilt();
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-badimg-'));
    const r = await runCli([
      'run',
      'test/fixtures/suites/bad-image/suite.yaml',
      '--run-id',
      'img',
      '--results-dir',
      resultsDir,
    ]);
    // samples without a result: the run is not complete, and says how to finish it
    expect(r.code, r.stderr.slice(-1500)).toBe(1);
    expect(r.stderr).toContain('image for task broken-image is unavailable');
    expect(r.stderr).toMatch(
      /run img failed: 1 sample ended in error \(no score\); `turnbench run --resume img/,
    );
    const samples = readJsonl(join(resultsDir, 'img/samples.jsonl')).map((l) => SampleRecordSchema.parse(l));
    const broken = samples.find((s) => s.task_id === 'broken-image')!;
    expect(broken).toMatchObject({ status: 'error', passed: null, score: null });
    expect(broken.error?.message).toMatch(/image unavailable/);
    expect(samples.find((s) => s.task_id === 'compute-primes')).toMatchObject({
      status: 'completed',
      passed: true,
    });
  }, 200_000);
});

/**
 * The `openai` provider, exactly as it would talk to OpenAI, pointed at the standalone sim over
 * HTTP with an API key in the environment: the run works, and the key is nowhere in the results.
 */
describe('a real-provider variant against an OpenAI-compatible server', () => {
  let sim: ChildProcess | undefined;
  afterAll(() => {
    sim?.kill('SIGTERM');
  });

  it('runs through the openai provider and never writes the API key', async () => {
    assertBuilt();
    sim = spawn(process.execPath, [CLI, 'sim', '--port', '0', '--suite', 'tasks/demo/suite.yaml'], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      sim!.stdout!.on('data', (d) => {
        out += d;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      sim!.on('exit', (code) => reject(new Error(`sim exited ${code}`)));
    });
    const dir = mkdtempSync(join(tmpdir(), 'tb-openai-'));
    const suite = join(dir, 'suite.yaml');
    writeFileSync(
      suite,
      [
        'name: openai-compatible',
        'tasks:',
        `  - ${join(REPO, 'tasks/demo/compute-primes')}`,
        `  - ${join(REPO, 'tasks/demo/fix-script')}`,
        'variants:',
        '  - name: remote',
        '    provider: openai',
        `    base_url: ${url}/v1`,
        '    api_key_env: TB_TEST_PROVIDER_KEY',
        '    model: sim-1',
        '    instructions: You are a careful coding agent working in a sandbox.',
        '',
      ].join('\n'),
    );
    const secret = 'sk-test-SENTINEL-6f1c0d2e9b';
    const resultsDir = join(dir, 'results');
    const r = await runCli(
      ['run', suite, '--sandbox', 'local', '--run-id', 'remote', '--results-dir', resultsDir],
      {
        env: { TB_TEST_PROVIDER_KEY: secret },
      },
    );
    expect(r.code, r.stderr.slice(-1500)).toBe(0);
    const samples = readJsonl(join(resultsDir, 'remote/samples.jsonl')).map((l) =>
      SampleRecordSchema.parse(l),
    );
    expect(samples.every((s) => s.passed)).toBe(true);
    const report = await runCli(['report', 'remote', '--results-dir', resultsDir]);
    expect(report.code).toBe(0);
    for (const file of filesUnder(resultsDir)) expect(readFileSync(file, 'utf8'), file).not.toContain(secret);
    expect(r.stdout + r.stderr).not.toContain(secret);

    // without the key, the variant is refused up front, naming the variable (not a value)
    const missing = await runCli(
      ['run', suite, '--sandbox', 'local', '--run-id', 'nokey', '--results-dir', resultsDir],
      {
        env: { TB_TEST_PROVIDER_KEY: '' },
      },
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('$TB_TEST_PROVIDER_KEY');
  }, 120_000);
});

describe('turnbench sim with a suite that does not load', () => {
  it('exits 2 naming the file and line, and never listens', async () => {
    assertBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'tb-sim-badsuite-'));
    const suite = join(dir, 'suite.yaml');
    writeFileSync(suite, 'name: broken\ntasks: 5\n');
    const r = await runCli(['sim', '--port', '0', '--suite', suite], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${suite}:2: tasks`);
    expect(r.stdout).not.toContain('listening on');
  }, 40_000);
});
