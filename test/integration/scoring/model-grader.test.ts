import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPricing } from '../../../src/config/index.js';
import { readSamples, repriceRun } from '../../../src/report/index.js';
import { type SampleRecord, SampleRecordSchema, TurnRecordSchema } from '../../../src/telemetry/index.js';
import { assertBuilt, readJsonl, runCli } from '../cli/helpers.js';

/**
 * Model-graded scoring end to end through the CLI: the sim grades each task from its `sim.grade`
 * entry over the Responses API with a JSON-schema text format; one task passes, one fails.
 */
describe('model scorer graded by the sim', () => {
  const resultsDir = mkdtempSync(join(tmpdir(), 'tb-graded-'));
  let samples: Map<string, SampleRecord>;
  let runDir: string;

  beforeAll(async () => {
    assertBuilt();
    const result = await runCli([
      'run',
      'test/fixtures/suites/graded/suite.yaml',
      '--run-id',
      'graded',
      '--results-dir',
      resultsDir,
      '--sandbox',
      'local',
      '--json',
    ]);
    if (result.code !== 0) throw new Error(`run failed (${result.code}):\n${result.stderr}`);
    runDir = join(resultsDir, 'graded');
    samples = new Map(
      readJsonl(join(runDir, 'samples.jsonl'))
        .map((l) => SampleRecordSchema.parse(l))
        .map((s) => [s.task_id, s]),
    );
  });

  it('passes a task whose answer meets the rubric, with the grade and explanation recorded', () => {
    const s = samples.get('solved');
    expect(s?.passed, s?.score_detail ?? '').toBe(true);
    // two scorers (command + model): the score is their mean
    expect(s?.score).toBeCloseTo((1 + 0.9) / 2, 6);
    expect(s?.score_detail).toContain('[1/2 command pass]');
    expect(s?.score_detail).toContain('[2/2 model pass] grade 0.90 >= 0.5 (sim-1)');
    const grade = s?.grades?.[0];
    expect(grade).toMatchObject({
      scorer: 1,
      model: 'sim-1',
      provider: 'sim',
      score: 0.9,
      passed: true,
      explanation: 'The answer states the result and result.txt holds it.',
      error: null,
    });
    expect(grade?.response_id).toMatch(/^resp_/);
  });

  it('fails a task whose answer does not, with the grader explanation as the detail', () => {
    const s = samples.get('unsolved');
    expect(s?.passed).toBe(false);
    expect(s?.score).toBe(0);
    expect(s?.score_detail).toBe('grade 0.00 < 0.5 (sim-1): The answer never states 42.');
    expect(s?.grades?.[0]).toMatchObject({ scorer: 0, score: 0, passed: false, error: null });
  });

  it("keeps the grader's usage and cost apart from the agent's", () => {
    const turns = readJsonl(join(runDir, 'turns.jsonl')).map((l) => TurnRecordSchema.parse(l));
    for (const s of samples.values()) {
      const own = turns.filter((t) => t.sample_id === s.sample_id);
      // the grading request is not a turn of the sample, and its tokens are not in the sample's totals
      expect(own).toHaveLength(s.turns);
      expect(s.input_tokens).toBe(own.reduce((n, t) => n + t.input_tokens, 0));
      expect(s.cost_usd).toBeCloseTo(
        own.reduce((n, t) => n + (t.cost_usd ?? 0), 0),
        12,
      );
      const grade = s.grades?.[0];
      expect(grade?.input_tokens).toBeGreaterThan(0);
      expect(grade?.output_tokens).toBeGreaterThan(0);
      expect(grade?.cost_usd).toBeGreaterThan(0);
    }
  });

  it('re-pricing with the prices the run used gives back the recorded agent and grader costs', async () => {
    const repriced = (await readSamples(runDir, await repriceRun(runDir, await loadPricing()))).samples;
    for (const s of samples.values()) {
      const again = repriced.get(s.sample_id);
      expect(again?.cost_usd).toBeCloseTo(s.cost_usd ?? -1, 12);
      expect(again?.grades?.[0]?.cost_usd).toBeCloseTo(s.grades?.[0]?.cost_usd ?? -1, 12);
    }
  });
});
