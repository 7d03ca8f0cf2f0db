import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventRecordSchema, SampleRecordSchema, TurnRecordSchema } from '../../../src/telemetry/index.js';
import { assertBuilt, readJsonl, runCli } from './helpers.js';

/**
 * `turnbench run` with a `transport: websocket` variant beside an HTTP one, against a sim that
 * faults: both finish every sample, the WebSocket variant's faults are retried like HTTP's, and
 * the process exits with its connections closed.
 */
describe('run with transport websocket', () => {
  it('finishes every sample over both transports, retrying faults', async () => {
    assertBuilt();
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-ws-run-'));
    const result = await runCli([
      'run',
      'test/fixtures/suites/websocket/suite.yaml',
      '--sandbox',
      'local',
      '--run-id',
      'ws',
      '--results-dir',
      resultsDir,
      '--json',
    ]);
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    const runDir = join(resultsDir, 'ws');
    const samples = readJsonl(join(runDir, 'samples.jsonl')).map((l) => SampleRecordSchema.parse(l));
    const turns = readJsonl(join(runDir, 'turns.jsonl')).map((l) => TurnRecordSchema.parse(l));
    const retries = readJsonl(join(runDir, 'events.jsonl'))
      .map((l) => EventRecordSchema.parse(l))
      .filter((e) => e.type === 'retry');

    // 3 tasks x 8 epochs x 2 variants, each once, all finished and scored
    expect(samples).toHaveLength(48);
    for (const s of samples) expect(s.status, `${s.sample_id}: ${s.error?.message}`).toBe('completed');
    const passed = (variant: string) => samples.filter((s) => s.variant === variant && s.passed).length;
    expect(passed('over-websocket')).toBe(passed('over-http'));

    const wsSamples = new Set(samples.filter((s) => s.variant === 'over-websocket').map((s) => s.sample_id));
    const wsRetries = retries.filter((r) => wsSamples.has(r.sample_id));
    const statuses = new Set(wsRetries.map((r) => (r.type === 'retry' ? r.status : -1)));
    expect(statuses).toContain(429);
    expect(statuses).toContain(null); // a cut stream over a WebSocket: the connection dropped
    const wsTurns = turns.filter((t) => wsSamples.has(t.sample_id));
    expect(wsTurns.reduce((n, t) => n + (t.retries ?? 0), 0)).toBe(wsRetries.length);
    expect(wsTurns.every((t) => (t.bytes_sent ?? 0) > 0 && t.ttft_ms !== null)).toBe(true);
  });
});
