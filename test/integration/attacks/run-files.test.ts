import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RunManifestSchema } from '../../../src/telemetry/index.js';
import { assertBuilt, runCli, spawnCli, waitForFinished } from '../cli/helpers.js';

/**
 * Finding 13 of issue 12, the results side: `history` showed a run whose process was killed as
 * running forever, and garbage lines inside results files were skipped without a word.
 */

function slowSuite(samples: number): string {
  const root = mkdtempSync(join(tmpdir(), 'tb-runfiles-'));
  mkdirSync(join(root, 't'));
  writeFileSync(
    join(root, 't/task.yaml'),
    'id: t\ninstructions: x\nscorer: { type: match, expected: done }\nsim:\n  steps:\n    - shell: sleep 1\n  final: done\n',
  );
  writeFileSync(
    join(root, 'suite.yaml'),
    `name: runfiles\ntasks: [t]\nepochs: ${samples}\nconcurrency: { samples: 1 }\nvariants:\n  - name: v\n    instructions: be brief\n`,
  );
  return join(root, 'suite.yaml');
}

interface HistoryJson {
  runs: Array<{ run_id: string; status: string }>;
}

describe('results files after a crash and with damage (issue 12, finding 13)', () => {
  beforeAll(() => assertBuilt());

  it('history: a run whose process was killed is crashed, a live one running, a finished one completed', async () => {
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-history-'));
    const suite = slowSuite(30);
    const killed = spawnCli([
      'run',
      suite,
      '--sandbox',
      'local',
      '--run-id',
      'killed',
      '--results-dir',
      resultsDir,
    ]);
    const live = spawnCli([
      'run',
      suite,
      '--sandbox',
      'local',
      '--run-id',
      'live',
      '--results-dir',
      resultsDir,
    ]);
    let killedErr = '';
    let liveErr = '';
    killed.stderr?.on('data', (d) => (killedErr += d));
    live.stderr?.on('data', (d) => (liveErr += d));
    await Promise.all([waitForFinished(() => killedErr, 1), waitForFinished(() => liveErr, 1)]);
    const killedExit = new Promise((resolve) => killed.on('close', resolve));
    killed.kill('SIGKILL');
    await killedExit;
    const done = await runCli([
      'run',
      slowSuite(1),
      '--sandbox',
      'local',
      '--run-id',
      'done',
      '--results-dir',
      resultsDir,
    ]);
    expect(done.code, done.stderr).toBe(0);

    const manifest = RunManifestSchema.parse(
      JSON.parse(readFileSync(join(resultsDir, 'killed/run.json'), 'utf8')),
    );
    expect(manifest.status).toBe('running'); // what the killed process left behind
    expect(manifest.owner?.pid).toBe(killed.pid);

    const history = await runCli(['history', '--results-dir', resultsDir, '--json']);
    expect(history.code, history.stderr).toBe(0);
    const status = Object.fromEntries(
      (JSON.parse(history.stdout) as HistoryJson).runs.map((r) => [r.run_id, r.status]),
    );
    expect(status).toEqual({ killed: 'crashed', live: 'running', done: 'completed' });
    const table = await runCli(['history', '--results-dir', resultsDir]);
    expect(table.stdout).toMatch(/killed\s+\S+ \S+\s+crashed/);

    const liveExit = new Promise((resolve) => live.on('close', resolve));
    live.kill('SIGKILL');
    await liveExit;
  }, 240_000);

  it('garbage lines inside results files: one warning per file naming the lines, the good records kept', async () => {
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-garbage-'));
    const r = await runCli([
      'run',
      slowSuite(3),
      '--sandbox',
      'local',
      '--run-id',
      'g',
      '--results-dir',
      resultsDir,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const samples = join(resultsDir, 'g/samples.jsonl');
    const lines = readFileSync(samples, 'utf8').trimEnd().split('\n');
    writeFileSync(
      samples,
      `${lines[0]}\nnot json at all\n${lines[1]}\n{"schema":1,"looks":"like a record"}\n${lines[2]}\n`,
    );
    appendFileSync(join(resultsDir, 'g/turns.jsonl'), '\u0000\u0000garbage\n');

    const report = await runCli(['report', 'g', '--results-dir', resultsDir]);
    expect(report.code, report.stderr).toBe(0);
    const warnings = report.stderr.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings).toEqual([
      expect.stringMatching(/^warning: .*g\/samples\.jsonl: skipped 2 unreadable lines \(lines 2, 4\)$/),
      expect.stringMatching(/^warning: .*g\/turns\.jsonl: skipped 1 unreadable line \(line \d+\)$/),
    ]);
    expect(readFileSync(join(resultsDir, 'g/samples.csv'), 'utf8').trim().split('\n')).toHaveLength(4);

    const history = await runCli(['history', '--results-dir', resultsDir]);
    expect(history.stderr.match(/samples\.jsonl: skipped 2 unreadable lines/g)).toHaveLength(1);
  }, 120_000);
});
