import { describe, expect, it } from 'vitest';
import { formatPercent } from '../../../src/report/format.js';
import type { GateMetric } from '../../../src/report/gates.js';
import {
  evaluateGates,
  formatSummaryTable,
  GATE_METRICS,
  parseGates,
  summarizeSamples,
} from '../../../src/report/index.js';
import { notableDifferences } from '../../../src/report/markdown.js';
import type { SampleRecord } from '../../../src/telemetry/index.js';

/** The fields the summary reads; the rest of a record does not matter here. */
const sample = (variant: string, passed: boolean | null, status: SampleRecord['status'] = 'completed') =>
  ({
    variant,
    passed,
    status,
    turns: 2,
    input_tokens: 1000,
    cached_tokens: 500,
    cache_write_tokens: 0,
    output_tokens: 10,
    reasoning_tokens: 0,
    compactions: 0,
    cost_usd: 0.001,
    wall_ms: 100,
    bytes_sent: null,
    cache_breaks: 0,
    grades: null,
  }) as unknown as SampleRecord;

const metrics = (passRate: number | null) =>
  Object.fromEntries(GATE_METRICS.map((m) => [m, m === 'pass_rate' ? passRate : 1])) as Record<
    GateMetric,
    number | null
  >;

describe('a variant with no scored sample (ingested sessions, or every sample an error)', () => {
  it('has no pass rate, not 0: unscored samples are out of the denominator', () => {
    const [ingested, mixed] = summarizeSamples(
      [
        sample('ingested', null),
        sample('ingested', null),
        sample('mixed', true),
        sample('mixed', null, 'error'),
        sample('mixed', false),
      ],
      ['ingested', 'mixed'],
    );
    expect(ingested).toMatchObject({ samples: 2, scored: 0, passed: 0, pass_rate: null });
    expect(mixed).toMatchObject({ samples: 3, scored: 2, passed: 1, pass_rate: 0.5 });
  });

  it('shows n/a in the terminal table and in formatted rates', () => {
    const variants = summarizeSamples([sample('ingested', null)]);
    const table = formatSummaryTable(
      { run_id: 'r', results_dir: '/tmp', run_dir: '/tmp/r', status: 'completed', variants },
      { color: false },
    );
    expect(table).toMatch(/^ingested\s+1\s+n\/a\s+2\s/m);
    expect(formatPercent(null)).toBe('n/a');
    expect(formatPercent(0)).toBe('0.0%');
  });

  it('makes no pass-rate claim against a scored variant in the notes', () => {
    const ci = { lo: 0, hi: 1 };
    const base = { variant: 'a', pass_rate: 1, pass_ci: ci, cache_hit_rate: 0.5, cost_usd: 1 };
    const notes = notableDifferences([
      base,
      { ...base, variant: 'b', pass_rate: null },
    ] as unknown as Parameters<typeof notableDifferences>[0]);
    expect(notes.join(' ')).not.toContain('pass rate');
  });

  it('fails a pass_rate gate it cannot measure, with no delta; other gates are measured as usual', () => {
    const gates = parseGates('pass_rate<-5pp,cache_hit_rate<-5pp');
    const results = evaluateGates(gates, [
      { variant: 'v', baseline: metrics(0.8), candidate: metrics(null) },
    ]);
    expect(results).toEqual([
      { gate: 'pass_rate<-5pp', variant: 'v', baseline: 0.8, candidate: null, delta: null, failed: true },
      { gate: 'cache_hit_rate<-5pp', variant: 'v', baseline: 1, candidate: 1, delta: 0, failed: false },
    ]);
    const both = evaluateGates(gates, [{ variant: 'v', baseline: metrics(0.8), candidate: metrics(0.9) }]);
    expect(both[0]).toMatchObject({ failed: false });
    expect(both[0]!.delta).toBeCloseTo(10, 9);
  });
});
