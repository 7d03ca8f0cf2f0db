import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SampleRecordSchema } from '../../../src/telemetry/index.js';
import { assertBuilt, readJsonl, runCli, spawnCli } from '../cli/helpers.js';

/**
 * Finding 5 of issue 12: 1 MB of text without whitespace (a task text, a final answer) was
 * tokenised with an O(n²) byte-pair merge: minutes with the event loop stuck, so neither the
 * wall timeout nor SIGTERM worked. Real CLI, real sim over HTTP, local sandboxes (no container
 * is involved in counting).
 */

function letters(n: number, seed: number): string {
  let state = seed >>> 0;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    state = (state * 1664525 + 1013904223) >>> 0;
    out.push(String.fromCharCode(97 + (state % 26)));
  }
  return out.join('');
}

const MB = 1 << 20;

function bigSuite(opts: { tasks: number; wallTimeoutS?: number; steps?: string }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tb-tokbomb-'));
  for (let t = 0; t < opts.tasks; t++) {
    mkdirSync(join(dir, `big${t}`));
    // the token ceiling lifted so that only the wall clock can stop a sample that resends 1 MB a turn
    const limits = opts.wallTimeoutS
      ? `limits: { wall_timeout_s: ${opts.wallTimeoutS}, max_total_tokens: 1000000000 }\n`
      : '';
    writeFileSync(
      join(dir, `big${t}/task.yaml`),
      `id: big${t}\ninstructions: ${JSON.stringify(letters(MB, 17 + t))}\n${limits}` +
        `scorer: { type: match, expected: DONE }\n` +
        `sim:\n  steps:\n${opts.steps ?? '    - shell: echo hi\n'}  final: ${JSON.stringify(`${letters(MB, 99 + t)}DONE`)}\n`,
    );
  }
  writeFileSync(
    join(dir, 'suite.yaml'),
    'name: token-bomb\ntasks: ["*/task.yaml"]\nconcurrency: { samples: 2 }\nvariants:\n  - name: v\n    instructions: be brief\n',
  );
  return join(dir, 'suite.yaml');
}

function samplesOf(resultsDir: string, runId: string) {
  return readJsonl(join(resultsDir, runId, 'samples.jsonl')).map((l) => SampleRecordSchema.parse(l));
}

describe('a megabyte without whitespace (issue 12, finding 5)', () => {
  beforeAll(() => assertBuilt());

  it('a 1 MB task text and a 1 MB final answer: the run finishes promptly and scores', async () => {
    const suite = bigSuite({ tasks: 1 });
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-tokbomb-res-'));
    const began = Date.now();
    const r = await runCli(
      ['run', suite, '--sandbox', 'local', '--run-id', 'big', '--results-dir', resultsDir, '--json'],
      { timeoutMs: 150_000 },
    );
    const took = Date.now() - began;
    expect(r.code, r.stderr).toBe(0);
    const [sample] = samplesOf(resultsDir, 'big');
    expect(sample?.status).toBe('completed');
    expect(sample?.passed).toBe(true);
    // ~260k tokens each way (random letters are ~1.9 characters a token), not an artefact
    expect(sample?.input_tokens).toBeGreaterThan(2 * 400_000);
    expect(sample?.output_tokens).toBeGreaterThan(400_000);
    // Unbounded counting took many minutes here; a loaded 2-core machine needs seconds.
    expect(took).toBeLessThan(120_000);
  }, 180_000);

  it('the wall timeout still fires while turns carry a megabyte each', async () => {
    // every turn resends the 1 MB task text; 40 short turns would take far more than 2 s
    const steps = '    - repeat: 40\n      shell: sleep 0.1\n';
    const suite = bigSuite({ tasks: 1, wallTimeoutS: 2, steps });
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-tokbomb-wall-'));
    const r = await runCli(
      ['run', suite, '--sandbox', 'local', '--run-id', 'wall', '--results-dir', resultsDir],
      { timeoutMs: 150_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const [sample] = samplesOf(resultsDir, 'wall');
    expect(sample?.status).toBe('timeout');
    expect(sample?.stop_reason).toBe('wall_timeout');
    // fired within seconds of its 2 s, not after minutes of counting
    expect(sample?.wall_ms).toBeLessThan(30_000);
  }, 180_000);

  it('SIGTERM twice ends a run busy with megabyte samples within seconds', async () => {
    const suite = bigSuite({ tasks: 6 });
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-tokbomb-term-'));
    const child = spawnCli([
      'run',
      suite,
      '--sandbox',
      'local',
      '--run-id',
      'term',
      '--results-dir',
      resultsDir,
      '--grace',
      '1',
    ]);
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // the sim has answered at least one megabyte request: counting is in full swing
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no turn recorded:\n${stderr}`)), 120_000);
      const poll = setInterval(() => {
        let turns = '';
        try {
          turns = readFileSync(join(resultsDir, 'term/turns.jsonl'), 'utf8');
        } catch {}
        if (turns.includes('\n')) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve();
        }
      }, 100);
    });
    const signalled = Date.now();
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGTERM'), 500);
    const code = await closed;
    expect(code, stderr).toBe(130);
    expect(Date.now() - signalled).toBeLessThan(30_000);
    const manifest = JSON.parse(readFileSync(join(resultsDir, 'term/run.json'), 'utf8')) as {
      status: string;
    };
    expect(manifest.status).toBe('interrupted');
  }, 180_000);
});
