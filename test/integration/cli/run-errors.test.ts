import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RunManifestSchema } from '../../../src/telemetry/index.js';
import {
  assertBuilt,
  REPO,
  runCli,
  spawnCli,
  turnbenchContainers,
  uniqueRunId,
  waitForFinished,
} from './helpers.js';

const ABORT = uniqueRunId('abort');

function demoCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tb-suite-'));
  cpSync(join(REPO, 'tasks/demo'), dir, { recursive: true });
  return dir;
}

describe('run: bad input and interruption', () => {
  beforeAll(() => assertBuilt());

  it('rejects a task.yaml with a wrongly typed field in one line naming file and field, before any container', async () => {
    const suiteDir = demoCopy();
    const taskFile = join(suiteDir, 'hello-files/task.yaml');
    writeFileSync(taskFile, `${readFileSync(taskFile, 'utf8')}limits:\n  max_turns: lots\n`);
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-res-'));
    const result = await runCli([
      'run',
      join(suiteDir, 'suite.yaml'),
      '--run-id',
      'bad',
      '--results-dir',
      resultsDir,
    ]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('hello-files/task.yaml');
    expect(lines[0]).toContain('limits.max_turns');
    expect(existsSync(join(resultsDir, 'bad'))).toBe(false);
    // (this run's own: the engine is shared with other tests and users)
    expect(await turnbenchContainers('bad')).toEqual([]);
  });

  it('rejects a bad flag value with exit 2', async () => {
    const result = await runCli(['run', 'tasks/demo/suite.yaml', '--concurrency', 'zero']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--concurrency');
  });

  it('stops on Ctrl-C, marks the run interrupted and removes every container', async () => {
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-int-'));
    const child = spawnCli([
      'run',
      'tasks/demo/suite.yaml',
      '--run-id',
      'sigint',
      '--results-dir',
      resultsDir,
      '--grace',
      '2',
    ]);
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    // Interrupt once the first samples have finished (containers exist by then).
    await waitForFinished(() => stderr, 2);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect(stderr).toContain('stopping');
    const manifest = RunManifestSchema.parse(
      JSON.parse(readFileSync(join(resultsDir, 'sigint/run.json'), 'utf8')),
    );
    expect(manifest.status).toBe('interrupted');
    expect(await turnbenchContainers('sigint')).toEqual([]);
  }, 280_000);

  it('aborts samples in flight on a second Ctrl-C, records them as cancelled, and resume reruns them', async () => {
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-abort-'));
    // only the long tasks, so samples are surely in flight when Ctrl-C comes twice
    const child = spawnCli([
      'run',
      'tasks/demo/suite.yaml',
      '--task',
      'long-refactor',
      'log-triage',
      '--variant',
      'stable',
      'timestamp',
      '--run-id',
      ABORT,
      '--results-dir',
      resultsDir,
      '--grace',
      '60',
    ]);
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    await waitForFinished(() => stderr, 1);
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('aborting samples in flight');
    expect(await turnbenchContainers(ABORT)).toEqual([]);
    const runDir = join(resultsDir, ABORT);
    const manifest = RunManifestSchema.parse(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')));
    expect(manifest.status).toBe('interrupted');
    const samples = readFileSync(join(runDir, 'samples.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { sample_id: string; status: string });
    const cancelled = samples.filter((s) => s.status === 'cancelled').length;
    expect(cancelled).toBeGreaterThan(0);

    const resumed = await runCli(['run', '--resume', ABORT, '--results-dir', resultsDir, '--json']);
    expect(resumed.code, resumed.stderr.slice(-2000)).toBe(0);
    // the cancelled samples did not finish: they run again, the others are kept
    expect(resumed.stderr).toContain(`resuming: ${samples.length - cancelled} samples already finished`);
    const final = readFileSync(join(runDir, 'samples.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { sample_id: string; status: string });
    expect(final.map((s) => s.sample_id).sort()).toEqual([...manifest.sample_ids].sort());
    expect(final.every((s) => s.status === 'completed')).toBe(true);
    expect(await turnbenchContainers(ABORT)).toEqual([]);
  }, 280_000);
});
