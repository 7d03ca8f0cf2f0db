import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SampleRecordSchema } from '../../../src/telemetry/index.js';
import { listenOnLoopback } from '../../helpers/loopback.js';
import { assertBuilt, CLI, REPO, readJsonl, runCli } from '../cli/helpers.js';

/** A loopback port nothing listens on (taken, then given back): connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listenOnLoopback(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A model grader whose provider is down: the sample is an error (no score), never a failed grade;
 * the run says so and exits 1; once the provider answers, a resume grades it.
 */
describe('a model grader whose provider does not answer', () => {
  let sim: ChildProcess | undefined;
  afterAll(() => {
    sim?.kill('SIGKILL');
  });

  it('leaves the sample without a score, and a resume grades it once the provider is back', async () => {
    assertBuilt();
    const port = await closedPort();
    const dir = mkdtempSync(join(tmpdir(), 'tb-grader-down-'));
    mkdirSync(join(dir, 'graded'));
    writeFileSync(
      join(dir, 'graded/task.yaml'),
      [
        'id: graded',
        'instructions: Compute 6 times 7 and say the result.',
        'scorer:',
        '  type: model',
        '  model: sim-1',
        '  provider: openai',
        `  base_url: http://127.0.0.1:${port}/v1`,
        '  api_key_env: TB_GRADER_KEY',
        '  timeout_s: 10',
        '  rubric: The answer must state 42.',
        'sim:',
        '  steps: []',
        '  final: "6 times 7 is 42."',
        '  grade: { pass_if_answer_contains: "42", explanation: It states 42., fail_explanation: No 42. }',
        '',
      ].join('\n'),
    );
    const suite = join(dir, 'suite.yaml');
    writeFileSync(
      suite,
      'name: grader-down\ntasks: ["*/task.yaml"]\nvariants:\n  - { name: a, provider: sim, model: sim-1, instructions: Be brief. }\n',
    );
    const resultsDir = join(dir, 'results');
    const env = { TB_GRADER_KEY: 'sk-test-grader' };
    const first = await runCli(
      ['run', suite, '--sandbox', 'local', '--run-id', 'g', '--results-dir', resultsDir],
      {
        env,
        timeoutMs: 200_000,
      },
    );
    expect(first.code, first.stderr).toBe(1);
    expect(first.stderr).toContain('run g failed: 1 sample ended in error (no score)');
    const [sample] = readJsonl(join(resultsDir, 'g/samples.jsonl')).map((l) => SampleRecordSchema.parse(l));
    expect(sample).toMatchObject({ status: 'error', passed: null, score: null });
    expect(sample?.error?.kind).toBe('grader_unavailable');

    // The provider comes up at that address (the standalone sim, which grades from sim.grade).
    sim = spawn(process.execPath, [CLI, 'sim', '--port', String(port), '--suite', suite], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      sim?.stdout?.on('data', (d) => String(d).includes('listening on') && resolve());
      sim?.on('exit', (code) => reject(new Error(`sim exited ${code}`)));
    });
    const resumed = await runCli(['run', '--resume', 'g', '--results-dir', resultsDir], {
      env,
      timeoutMs: 200_000,
    });
    expect(resumed.code, resumed.stderr).toBe(0);
    const records = readJsonl(join(resultsDir, 'g/samples.jsonl')).map((l) => SampleRecordSchema.parse(l));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ status: 'completed', passed: true, error: null });
  }, 300_000);
});
