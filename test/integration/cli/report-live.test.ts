import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli, spawnCli, waitForFinished, writeSimSuite } from './helpers.js';

/**
 * `report` of a run another process still writes: two real processes, a `run` slowed down by the
 * sim's latency options and a `report` while it runs. The report says the run is in progress and
 * how much of it the figures cover, and it goes to `<run>/partial-report/`, never where the run's
 * own (final) report belongs.
 */

const REPORT_FILES = ['report.md', 'report.html', 'samples.csv', 'turns.csv'];

const ReportJson = (text: string) =>
  JSON.parse(text) as {
    files: Record<string, string>;
    summary: { status: string };
    in_progress: {
      writer: string;
      pid: number;
      samples_with_result: number;
      samples_planned: number;
      read_at: string;
    } | null;
  };

describe('report of a run still in progress', () => {
  beforeAll(() => assertBuilt());

  it('is marked partial, covers the samples with a result, and is written apart from the run files', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tb-live-report-'));
    // three samples one at a time, each a single turn the sim answers after 3 s
    const suite = writeSimSuite(root, {
      name: 'live',
      variant: 'slow',
      epochs: 3,
      variantFields: { sim: { latency: { ttft_ms: 3000 } } },
    });
    const resultsDir = join(root, 'results');
    const runDir = join(resultsDir, 'live');
    const runner = spawnCli([
      'run',
      suite,
      '--run-id',
      'live',
      '--results-dir',
      resultsDir,
      '--concurrency',
      '1',
    ]);
    let runErr = '';
    runner.stderr?.on('data', (d) => (runErr += d));
    const ended = new Promise<number | null>((resolve) => runner.on('close', resolve));
    await waitForFinished(() => runErr, 1, 120_000);

    const live = await runCli(['report', 'live', '--results-dir', resultsDir, '--json']);
    // the run must still have been going for this to test anything
    expect(runner.exitCode).toBeNull();
    expect(live.code).toBe(0);
    const partial = ReportJson(live.stdout);
    expect(partial.in_progress).toMatchObject({
      writer: 'run --run-id live',
      pid: runner.pid,
      samples_planned: 3,
    });
    const covered = partial.in_progress?.samples_with_result ?? 0;
    expect(covered).toBeGreaterThanOrEqual(1);
    expect(covered).toBeLessThan(3);
    expect(live.stderr).toMatch(
      new RegExp(
        `^note: partial report: the run is still in progress \\(\`run --run-id live\`, pid ${runner.pid}\\): ${covered} of 3 samples had a result at .*; written to .*partial-report;`,
      ),
    );
    const partialDir = join(runDir, 'partial-report');
    expect(Object.values(partial.files).sort()).toEqual(REPORT_FILES.map((f) => join(partialDir, f)).sort());
    // nothing where the run's own report goes, and no temporary file left anywhere
    for (const file of REPORT_FILES) expect(existsSync(join(runDir, file))).toBe(false);
    expect(readdirSync(partialDir).sort()).toEqual([...REPORT_FILES].sort());
    const markdown = readFileSync(join(partialDir, 'report.md'), 'utf8');
    expect(markdown).toContain(`> **Partial report:** the run is still in progress`);
    expect(markdown).toContain(`${covered} of 3 samples had a result`);
    expect(readFileSync(join(partialDir, 'report.html'), 'utf8')).toContain(
      '<div class="partial"><b>Partial report:</b> the run is still in progress',
    );
    expect(readFileSync(join(partialDir, 'samples.csv'), 'utf8').trim().split('\n')).toHaveLength(
      1 + covered,
    );

    expect(await ended).toBe(0);
    const final = await runCli(['report', 'live', '--results-dir', resultsDir, '--json']);
    expect(final.code).toBe(0);
    expect(final.stderr).toBe('');
    const full = ReportJson(final.stdout);
    expect(full.in_progress).toBeNull();
    expect(full.summary.status).toBe('completed');
    expect(full.files.markdown).toBe(join(runDir, 'report.md'));
    const finalMarkdown = readFileSync(join(runDir, 'report.md'), 'utf8');
    expect(finalMarkdown).not.toContain('Partial report');
    expect(finalMarkdown).toContain('status **completed**');
    expect(readFileSync(join(runDir, 'samples.csv'), 'utf8').trim().split('\n')).toHaveLength(4);
    // the snapshot taken during the run is left as it was, still marked partial
    expect(readFileSync(join(partialDir, 'report.md'), 'utf8')).toBe(markdown);
  }, 180_000);
});
