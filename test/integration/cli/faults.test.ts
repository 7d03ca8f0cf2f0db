import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventRecordSchema, SampleRecordSchema, TurnRecordSchema } from '../../../src/telemetry/index.js';
import { assertBuilt, readJsonl, runCli } from './helpers.js';

/**
 * A sim that fails ~20% of requests (429 with Retry-After, 500, streams cut mid-response): the
 * run completes, every retry is an event, and no sample is lost or doubled.
 */
describe('run against a faulty provider', () => {
  it('retries through 429s, 500s and cut streams without losing or doubling a sample', async () => {
    assertBuilt();
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-faults-'));
    const result = await runCli([
      'run',
      'test/fixtures/suites/faults/suite.yaml',
      '--sandbox',
      'local',
      '--run-id',
      'faults',
      '--results-dir',
      resultsDir,
      '--json',
    ]);
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    const runDir = join(resultsDir, 'faults');
    const samples = readJsonl(join(runDir, 'samples.jsonl')).map((l) => SampleRecordSchema.parse(l));
    const turns = readJsonl(join(runDir, 'turns.jsonl')).map((l) => TurnRecordSchema.parse(l));
    const retries = readJsonl(join(runDir, 'events.jsonl'))
      .map((l) => EventRecordSchema.parse(l))
      .filter((e) => e.type === 'retry');

    // 7 tasks (the dataset task has 3 rows) x 6 epochs, each exactly once, all finished
    expect(samples).toHaveLength(42);
    expect(new Set(samples.map((s) => s.sample_id)).size).toBe(42);
    for (const s of samples) expect(s.status, `${s.sample_id}: ${s.error?.message}`).toBe('completed');

    // each kind of fault happened and was retried
    const statuses = new Set(retries.map((r) => (r.type === 'retry' ? r.status : -1)));
    expect(statuses).toContain(429);
    expect(statuses).toContain(500);
    expect(statuses).toContain(null); // the cut streams: no HTTP status, the body stopped
    // a retry is not a turn: the turn records count each retry once
    expect(turns.reduce((n, t) => n + (t.retries ?? 0), 0)).toBe(retries.length);
    // ~21% of requests fault; tool outputs carry wall times, so the seeded draws differ per run
    // and this bound sits about three standard deviations below the expected rate
    expect(retries.length / (turns.length + retries.length)).toBeGreaterThan(0.1);
  });
});
