import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { RunManifestSchema, SampleRecordSchema, TurnRecordSchema } from '../../../src/telemetry/index.js';
import { assertBuilt, readJsonl, runCli } from './helpers.js';

const SUITE = 'test/fixtures/suites/resume/suite.yaml';

describe('inspect', () => {
  const resultsDir = mkdtempSync(join(tmpdir(), 'tb-inspect-'));

  beforeAll(async () => {
    assertBuilt();
    const run = await runCli([
      'run',
      'tasks/demo/suite.yaml',
      '--sandbox',
      'local',
      '--run-id',
      'demo',
      '--results-dir',
      resultsDir,
    ]);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
  }, 200_000);

  it('prints the per-turn table and the diff of the first broken prompt', async () => {
    const r = await runCli([
      'inspect',
      'demo',
      '--results-dir',
      resultsDir,
      '--sample',
      'long-refactor__timestamp__e1',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^turn\s+kind\s+input\s+cached\s+hit\s+expected/m);
    expect(r.stdout).toMatch(/^2\s+agent\s+\d+\s+0\s+0%.*harness_break\s+instructions_changed/m);
    expect(r.stdout).toContain('first cache break: turn 2, instructions_changed');
    expect(r.stdout).toMatch(/Current time: 20\d\d-/); // the diff shows the timestamp line that moved
  });

  it('marks compactions and the turn after them', async () => {
    const r = await runCli([
      'inspect',
      'demo',
      '--results-dir',
      resultsDir,
      '--sample',
      'log-triage__stable__e1',
    ]);
    expect(r.stdout).toMatch(/compaction after turn \d+ \(endpoint\)/);
    expect(r.stdout).toContain('after-compaction');
  });

  it('--json parses and carries the records', async () => {
    const r = await runCli(['inspect', 'demo', '--results-dir', resultsDir, '--json']);
    const parsed = z
      .object({ sample_id: z.string(), turns: z.array(TurnRecordSchema), cache_breaks: z.array(z.unknown()) })
      .parse(JSON.parse(r.stdout));
    expect(parsed.turns.length).toBeGreaterThan(0);
    expect(parsed.cache_breaks.length).toBeGreaterThan(0); // by default the first sample with a break
  });

  it('names an unknown run or sample clearly, with exit 2', async () => {
    const missing = await runCli(['inspect', 'nope', '--results-dir', resultsDir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('run not found');
    const sample = await runCli(['inspect', 'demo', '--results-dir', resultsDir, '--sample', 'nope']);
    expect(sample.code).toBe(2);
    expect(sample.stderr).toContain('sample "nope" is not in run demo');
  });
});

describe('shards and merge', () => {
  it('runs a suite in two shards and merges them into the whole suite, once', async () => {
    assertBuilt();
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-shards-'));
    for (const shard of ['1/2', '2/2']) {
      const r = await runCli([
        'run',
        SUITE,
        '--sandbox',
        'local',
        '--shard',
        shard,
        '--run-id',
        `s${shard[0]}`,
        '--results-dir',
        resultsDir,
      ]);
      expect(r.code, r.stderr.slice(-1000)).toBe(0);
    }
    const merged = await runCli([
      'merge',
      's1',
      's2',
      '--run-id',
      'all',
      '--results-dir',
      resultsDir,
      '--json',
    ]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(JSON.parse(merged.stdout)).toMatchObject({ run_id: 'all', status: 'completed' });

    const manifest = RunManifestSchema.parse(
      JSON.parse(readFileSync(join(resultsDir, 'all/run.json'), 'utf8')),
    );
    expect(manifest.merged_from).toEqual(['s1', 's2']);
    const samples = readJsonl(join(resultsDir, 'all/samples.jsonl')).map((l) => SampleRecordSchema.parse(l));
    const tasks = await runCli(['tasks', SUITE, '--json']);
    const total = z.object({ samples: z.number() }).parse(JSON.parse(tasks.stdout)).samples;
    expect(samples).toHaveLength(total);
    expect(new Set(samples.map((s) => s.sample_id)).size).toBe(total);
    expect(samples.every((s) => s.run_id === 'all')).toBe(true);

    const again = await runCli(['merge', 's1', 's1', '--run-id', 'dup', '--results-dir', resultsDir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/is in both s1 and s1/);
  }, 200_000);
});
