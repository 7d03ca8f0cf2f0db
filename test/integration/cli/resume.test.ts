import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunManifestSchema, SampleRecordSchema, TurnRecordSchema } from '../../../src/telemetry/index.js';
import {
  assertBuilt,
  readJsonl,
  runCli,
  spawnCli,
  turnbenchContainers,
  uniqueRunId,
  waitForFinished,
} from './helpers.js';

const CRASH = uniqueRunId('crash');

/** SIGKILL in the middle of a Docker run, then `run --resume`: exactly one record per sample. */
describe('crash and resume', () => {
  it('finishes a killed run with exactly one record per sample and no container left', async () => {
    assertBuilt();
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-resume-'));
    const child = spawnCli([
      'run',
      'test/fixtures/suites/resume/suite.yaml',
      '--run-id',
      CRASH,
      '--results-dir',
      resultsDir,
    ]);
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    await waitForFinished(() => stderr, 5, 200_000);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));

    const runDir = join(resultsDir, CRASH);
    const before = readJsonl(join(runDir, 'samples.jsonl')).length;
    const manifest = RunManifestSchema.parse(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')));
    expect(manifest.status).toBe('running'); // it never got to write its end
    expect(before).toBeGreaterThanOrEqual(5);
    expect(before).toBeLessThan(manifest.sample_ids.length);
    // Records are written in batches, but a sample line reaches the disk only after all of its turn
    // lines: the kill lost nothing of a finished sample, only the samples in flight.
    const killedTurns = readJsonl(join(runDir, 'turns.jsonl')).map((l) => TurnRecordSchema.parse(l));
    for (const s of readJsonl(join(runDir, 'samples.jsonl')).map((l) => SampleRecordSchema.parse(l))) {
      const own = killedTurns.filter((t) => t.sample_id === s.sample_id).map((t) => t.turn);
      expect(own, s.sample_id).toEqual(Array.from({ length: s.turns }, (_, i) => i + 1));
    }

    const resumed = await runCli(['run', '--resume', CRASH, '--results-dir', resultsDir, '--json']);
    expect(resumed.code, resumed.stderr.slice(-2000)).toBe(0);
    expect(resumed.stderr).toContain(`resuming: ${before} samples already finished`);

    const samples = readJsonl(join(runDir, 'samples.jsonl')).map((l) => SampleRecordSchema.parse(l));
    expect(samples.map((s) => s.sample_id).sort()).toEqual([...manifest.sample_ids].sort());
    const turns = readJsonl(join(runDir, 'turns.jsonl')).map((l) => TurnRecordSchema.parse(l));
    for (const s of samples) {
      expect(s.status).toBe('completed');
      const own = turns.filter((t) => t.sample_id === s.sample_id).map((t) => t.turn);
      expect(own, s.sample_id).toEqual(Array.from({ length: s.turns }, (_, i) => i + 1));
    }
    const after = RunManifestSchema.parse(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')));
    expect(after.status).toBe('completed');
    expect(after.resumed_at).toHaveLength(1);
    // the killed runner's containers were reaped by the resumed run
    expect(await turnbenchContainers(CRASH)).toEqual([]);
  }, 280_000);

  it('refuses to resume with a changed suite unless forced', async () => {
    assertBuilt();
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-resume2-'));
    const suite = 'test/fixtures/suites/resume/suite.yaml';
    const first = await runCli([
      'run',
      suite,
      '--sandbox',
      'local',
      '--run-id',
      'r',
      '--results-dir',
      resultsDir,
    ]);
    expect(first.code).toBe(0);
    const changed = await runCli([
      'run',
      'test/fixtures/suites/faults/suite.yaml',
      '--resume',
      'r',
      '--results-dir',
      resultsDir,
    ]);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/suite changed since the run started.*--force/);
    // the same suite resumes fine: nothing left to run
    const same = await runCli([
      'run',
      suite,
      '--sandbox',
      'local',
      '--resume',
      'r',
      '--results-dir',
      resultsDir,
    ]);
    expect(same.code).toBe(0);
    const total = RunManifestSchema.parse(JSON.parse(readFileSync(join(resultsDir, 'r/run.json'), 'utf8')))
      .sample_ids.length;
    expect(same.stderr).toContain(`resuming: ${total} samples already finished`);
  }, 200_000);

  it('runs a selection of the suite and resumes the same selection', async () => {
    assertBuilt();
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-select-'));
    const args = ['--sandbox', 'local', '--results-dir', resultsDir];
    const first = await runCli([
      'run',
      'tasks/demo/suite.yaml',
      '--run-id',
      'sel',
      '--variant',
      'stable',
      'timestamp',
      '--task',
      'compute-primes',
      'arith',
      '--epochs',
      '2',
      '--json',
      ...args,
    ]);
    expect(first.code, first.stderr.slice(-1000)).toBe(0);
    // the summary covers the selected variants only
    const summary = JSON.parse(first.stdout) as { variants: Array<{ variant: string; samples: number }> };
    expect(summary.variants.map((v) => [v.variant, v.samples])).toEqual([
      ['stable', 8],
      ['timestamp', 8],
    ]);
    const manifest = RunManifestSchema.parse(
      JSON.parse(readFileSync(join(resultsDir, 'sel/run.json'), 'utf8')),
    );
    // (compute-primes + 3 arith rows) x 2 variants x 2 epochs
    expect(manifest.sample_ids).toHaveLength(16);
    expect(manifest.selection).toEqual({
      variants: ['stable', 'timestamp'],
      tasks: ['compute-primes', 'arith'],
      epochs: 2,
    });
    const again = await runCli(['run', '--resume', 'sel', ...args]);
    expect(again.code, again.stderr.slice(-1000)).toBe(0);
    expect(again.stderr).toContain('resuming: 16 samples already finished');
  }, 120_000);
});
