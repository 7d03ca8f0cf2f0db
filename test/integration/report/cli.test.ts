import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { registerCompareCommand } from '../../../src/cli/commands/compare.js';
import { registerHistoryCommand } from '../../../src/cli/commands/history.js';
import { registerReportCommand } from '../../../src/cli/commands/report.js';
import { EXIT, reportFatal } from '../../../src/cli/errors.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/runs');
const results = mkdtempSync(join(tmpdir(), 'turnbench-cli-'));
cpSync(FIXTURES, results, { recursive: true, filter: (src) => !src.endsWith('.ts') });
afterAll(() => rmSync(results, { recursive: true, force: true }));

/** Runs the commands the way src/cli/main.ts does (same error → exit code mapping), capturing output. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const program = new Command().name('turnbench').exitOverride();
  registerReportCommand(program);
  registerCompareCommand(program);
  registerHistoryCommand(program);
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  program.configureOutput({ writeOut: (s) => (stdout += s), writeErr: (s) => (stderr += s) });
  let code: number;
  try {
    process.exitCode = undefined;
    await program.parseAsync(['node', 'turnbench', ...args]);
    code = Number(process.exitCode ?? 0);
  } catch (error) {
    code =
      error instanceof CommanderError ? (error.exitCode === 0 ? EXIT.ok : EXIT.badInput) : reportFatal(error);
  } finally {
    process.exitCode = undefined;
    out.mockRestore();
    err.mockRestore();
  }
  return { code, stdout, stderr };
}

describe('turnbench compare (CI gate exit codes)', () => {
  it('exit 1 when a gate fails, naming it', async () => {
    const r = await cli(
      'compare',
      'fixture-base',
      'fixture-cand',
      '--results-dir',
      results,
      '--fail-on',
      'cache_hit_rate<-2pp,pass_rate<-5pp,cost_usd>+10%',
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL {2}cache_hit_rate<-2pp {2}\[stable\]/);
    expect(r.stdout).toMatch(/ok {4}cost_usd>\+10% {2}\[stable\]/);
  });
  it('exit 0 when every gate holds, and without gates', async () => {
    expect(
      (
        await cli(
          'compare',
          'fixture-base',
          'fixture-cand',
          '--results-dir',
          results,
          '--fail-on',
          'pass_rate<-20pp',
        )
      ).code,
    ).toBe(0);
    expect((await cli('compare', 'fixture-base', 'fixture-cand', '--results-dir', results)).code).toBe(0);
  });
  it('exit 2 with one clear line on a bad gate expression or a missing run', async () => {
    const bad = await cli(
      'compare',
      'fixture-base',
      'fixture-cand',
      '--results-dir',
      results,
      '--fail-on',
      'hit<2',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'error: --fail-on: bad gate "hit<2": unknown metric "hit" (one of: pass_rate, cache_hit_rate, cost_usd, input_tokens, cached_tokens, cache_write_tokens, output_tokens, reasoning_tokens, turns, errors, compactions, cache_breaks, bytes_sent, wall_ms)\n',
    );
    const missing = await cli('compare', 'fixture-base', 'nope', '--results-dir', results);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: run not found: 'nope'/);
  });
  it('--json is one parseable object; --markdown is a PR comment', async () => {
    const j = await cli(
      'compare',
      'fixture-base',
      'fixture-cand',
      '--results-dir',
      results,
      '--json',
      '--fail-on',
      'cost_usd>+5%',
    );
    expect(j.code).toBe(1);
    const parsed = JSON.parse(j.stdout);
    expect(parsed.failed).toBe(true);
    expect(parsed.variants[0].metrics.cost_usd.baseline).toBeCloseTo(0.027176, 10);
    const m = await cli(
      'compare',
      join(results, 'fixture-base'),
      join(results, 'fixture-cand'),
      '--markdown',
    );
    expect(m.code).toBe(0);
    expect(m.stdout).toMatch(/^## turnbench compare: `fixture-base` → `fixture-cand`/);
  });
});

describe('turnbench report', () => {
  it('writes the four files beside the results and prints the table', async () => {
    const r = await cli('report', 'fixture-cand', '--results-dir', results);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^run fixture-cand \(completed\)/);
    for (const f of ['report.md', 'report.html', 'samples.csv', 'turns.csv'])
      expect(existsSync(join(results, 'fixture-cand', f))).toBe(true);
    expect(readFileSync(join(results, 'fixture-cand', 'report.md'), 'utf8')).toContain(
      '| stable | 6 | 66.7% (30%–90%) |',
    );
  });
  it('--json prints file paths and the summary', async () => {
    const r = await cli('report', join(results, 'fixture-base'), '--json', '--out-dir', results);
    const parsed = JSON.parse(r.stdout);
    expect(parsed.files.html).toBe(join(results, 'report.html'));
    expect(parsed.summary.variants[1].errors).toBe(1);
  });
  it('exit 2 on an unknown run', async () => {
    const r = await cli('report', 'missing-run', '--results-dir', results);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/run not found/);
  });
});

describe('turnbench history', () => {
  it('lists runs with trends, and as JSON', async () => {
    const t = await cli('history', '--results-dir', results);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/fixture-base[\s\S]*fixture-cand[\s\S]*trend/);
    const j = await cli('history', '--results-dir', results, '--json');
    expect(JSON.parse(j.stdout).runs.map((r: { run_id: string }) => r.run_id)).toEqual([
      'fixture-base',
      'fixture-cand',
    ]);
    const missing = await cli('history', '--results-dir', join(results, 'nope'));
    expect(missing.code).toBe(2);
  });
});
