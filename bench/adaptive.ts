import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPricing } from '../src/config/index.js';
import { type ProgressReporter, type ProviderLimits, runSuite } from '../src/runner/index.js';
import { LocalSandboxProvider } from '../src/sandbox/index.js';
import { loadSuite } from '../src/tasks/index.js';
import { EventRecordSchema, type SampleRecord } from '../src/telemetry/index.js';
import { round } from './util.js';

/**
 * Adaptive against fixed concurrency on a rate-limited endpoint: the overload fixture (16 samples,
 * 7 requests each, 8 at once; the sim admits 8 requests/s, counts rejected ones too and answers
 * 429 with Retry-After), run at a fixed limit of 8 and with AIMD between 1 and 8, alternately, a
 * few times. The figure is the ratio of wall times measured in the same bench run.
 */

const ROUNDS = Number(process.env.BENCH_ADAPTIVE_ROUNDS ?? 3);
const CEILING = 8;
const SUITE = fileURLToPath(new URL('../../test/fixtures/suites/overload/suite.yaml', import.meta.url));

class Quiet implements ProgressReporter {
  completed = 0;
  start(): void {}
  info(): void {}
  stop(): void {}
  sampleFinished(record: SampleRecord): void {
    if (record.status === 'completed') this.completed += 1;
  }
}

interface Measured {
  wall_ms: number;
  samples_completed: number;
  rate_limited_attempts: number;
  concurrency_changes: number;
}

async function measure(limits: ProviderLimits, runId: string): Promise<Measured> {
  const resultsDir = mkdtempSync(join(tmpdir(), 'tb-bench-adaptive-'));
  try {
    const progress = new Quiet();
    const began = performance.now();
    const outcome = await runSuite({
      suite: await loadSuite(SUITE),
      runId,
      resultsDir,
      providerLimits: limits,
      sandboxes: new LocalSandboxProvider(),
      pricing: await loadPricing(),
      progress,
      stop: new AbortController().signal,
      abort: new AbortController().signal,
    });
    const wall = performance.now() - began;
    const events = readFileSync(join(outcome.runDir, 'events.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => EventRecordSchema.parse(JSON.parse(line)));
    return {
      wall_ms: round(wall),
      samples_completed: progress.completed,
      rate_limited_attempts: events.filter((e) => e.type === 'retry' && e.status === 429).length,
      concurrency_changes: events.filter((e) => e.type === 'concurrency').length,
    };
  } finally {
    rmSync(resultsDir, { recursive: true, force: true });
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

export async function benchAdaptive(): Promise<Record<string, unknown>> {
  const fixed: Measured[] = [];
  const adaptive: Measured[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    fixed.push(await measure({ concurrency: CEILING }, `fixed-${i}`));
    adaptive.push(
      await measure(
        { concurrency: CEILING, adaptive: { floor: 1, increase: 1, decrease: 0.5, latencyFactor: 3 } },
        `adaptive-${i}`,
      ),
    );
  }
  const fixedMs = median(fixed.map((m) => m.wall_ms));
  const adaptiveMs = median(adaptive.map((m) => m.wall_ms));
  return {
    rounds: ROUNDS,
    ceiling: CEILING,
    sim_requests_per_s: 8,
    fixed_wall_ms_median: round(fixedMs),
    adaptive_wall_ms_median: round(adaptiveMs),
    adaptive_vs_fixed_wall_ratio: round(adaptiveMs / fixedMs, 3),
    fixed_rate_limited_attempts_median: median(fixed.map((m) => m.rate_limited_attempts)),
    adaptive_rate_limited_attempts_median: median(adaptive.map((m) => m.rate_limited_attempts)),
    samples_lost: {
      fixed: fixed.reduce((n, m) => n + (16 - m.samples_completed), 0),
      adaptive: adaptive.reduce((n, m) => n + (16 - m.samples_completed), 0),
    },
    runs: { fixed, adaptive },
  };
}
