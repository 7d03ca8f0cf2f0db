import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunManifestSchema, SampleRecordSchema, TurnRecordSchema } from '../../../src/telemetry/index.js';
import { assertBuilt, REPO, readJsonl, runCli } from './helpers.js';

const SUITE = 'test/fixtures/suites/budget/suite.yaml';
const BUDGET = 0.01; // limits.max_run_cost_usd in the suite

function read(runDir: string) {
  return {
    manifest: RunManifestSchema.parse(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'))),
    samples: readJsonl(join(runDir, 'samples.jsonl')).map((l) => SampleRecordSchema.parse(l)),
    turns: readJsonl(join(runDir, 'turns.jsonl')).map((l) => TurnRecordSchema.parse(l)),
  };
}

describe('a run budget', () => {
  it('stops scheduling at the budget, lets samples in flight finish, skips the rest, and a resume with more finishes them', async () => {
    assertBuilt();
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-budget-'));
    const runDir = join(resultsDir, 'b');
    const args = ['--sandbox', 'local', '--results-dir', resultsDir];

    const first = await runCli(['run', SUITE, '--run-id', 'b', ...args]);
    expect(first.code, first.stderr.slice(-2000)).toBe(3);
    const stopLine = first.stderr.split('\n').filter((l) => l.startsWith('run b stopped at its budget'));
    expect(stopLine).toHaveLength(1);
    expect(stopLine[0]).toMatch(
      /^run b stopped at its budget: \$\d+\.\d{4} recorded of \$0\.01; \d+ samples skipped \(finish them with: turnbench run --resume b --budget <more>\)$/,
    );

    const stopped = read(runDir);
    expect(stopped.manifest.status).toBe('budget_exhausted');
    const ran = stopped.samples.filter((s) => s.status !== 'skipped');
    const skipped = stopped.samples.filter((s) => s.status === 'skipped');
    expect(ran.length).toBeGreaterThan(0);
    expect(skipped.length).toBeGreaterThan(0);
    expect(ran.length + skipped.length).toBe(stopped.manifest.sample_ids.length);
    for (const s of skipped)
      expect(s).toMatchObject({ stop_reason: 'budget', turns: 0, cost_usd: 0, passed: null });
    // samples in flight finished: every sample that started ran to its end
    for (const s of ran) expect(s.status).toBe('completed');
    const spent = ran.reduce((sum, s) => sum + (s.cost_usd ?? 0), 0);
    expect(spent).toBeGreaterThanOrEqual(BUDGET);
    expect(stopLine[0]).toContain(`$${spent.toFixed(4)} recorded`);

    // nothing started after the recorded cost reached the budget
    const ends = stopped.turns
      .map((t) => ({ end: Date.parse(t.started_at) + (t.latency_ms ?? 0), cost: t.cost_usd ?? 0 }))
      .sort((a, b) => a.end - b.end);
    let cumulative = 0;
    let reachedAt = Number.POSITIVE_INFINITY;
    for (const t of ends) {
      cumulative += t.cost;
      if (cumulative >= BUDGET) {
        reachedAt = t.end;
        break;
      }
    }
    for (const s of ran) expect(Date.parse(s.started_at), s.sample_id).toBeLessThanOrEqual(reachedAt + 50);

    // a resume under the same budget runs nothing and says so
    const again = await runCli(['run', '--resume', 'b', ...args]);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('budget of $0.01 already reached');
    expect(read(runDir).samples.filter((s) => s.status === 'skipped')).toHaveLength(skipped.length);

    // a higher budget finishes them: one record per sample, all run
    const resumed = await runCli(['run', '--resume', 'b', '--budget', '10', ...args]);
    expect(resumed.code, resumed.stderr.slice(-2000)).toBe(0);
    const done = read(runDir);
    expect(done.manifest.status).toBe('completed');
    expect(done.samples.map((s) => s.sample_id).sort()).toEqual([...done.manifest.sample_ids].sort());
    for (const s of done.samples) expect([s.sample_id, s.status]).toEqual([s.sample_id, 'completed']);

    // the reports know the status
    const report = await runCli(['report', runDir]);
    expect(report.code).toBe(0);
  }, 200_000);

  it('is refused before anything runs when a model has no price', async () => {
    assertBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'tb-budget-price-'));
    const suite = join(dir, 'suite.yaml');
    writeFileSync(
      suite,
      [
        'name: unpriced',
        `tasks: [${resolve(REPO, 'tasks/demo/hello-files')}]`,
        'variants:',
        '  - name: a',
        '    provider: sim',
        '    model: sim-unpriced',
        '    instructions: x',
      ].join('\n'),
    );
    const result = await runCli(['run', suite, '--sandbox', 'local', '--results-dir', dir, '--budget', '1']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(
      'error: a run budget needs a price for every model: variant "a" uses "sim-unpriced", which has none (add it with --pricing FILE)',
    );
  });
});
