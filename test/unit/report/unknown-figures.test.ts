import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPricing } from '../../../src/config/index.js';
import { ingestLogs } from '../../../src/ingest/index.js';
import { formatCompact } from '../../../src/report/format.js';
import {
  formatSummaryTable,
  summarizeRun,
  summarizeSamples,
  writeReport,
} from '../../../src/report/index.js';
import type { SampleRecord } from '../../../src/telemetry/index.js';
import { fixture } from '../ingest/helpers.js';

/** The fields the summary reads; the rest of a record does not matter here. */
const sample = (
  variant: string,
  known: { bytes_sent: number | null; cache_write_tokens: number | null; reasoning_tokens: number | null },
) =>
  ({
    variant,
    passed: null,
    status: 'completed',
    turns: 2,
    input_tokens: 1000,
    cached_tokens: 500,
    output_tokens: 10,
    compactions: 0,
    cost_usd: 0.001,
    wall_ms: 100,
    cache_breaks: 0,
    grades: null,
    ...known,
  }) as unknown as SampleRecord;

const unknown = { bytes_sent: null, cache_write_tokens: null, reasoning_tokens: null };
const known = { bytes_sent: 4000, cache_write_tokens: 300, reasoning_tokens: 20 };

const tmp = mkdtempSync(join(tmpdir(), 'tb-unknown-figures-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('a figure no sample knows is null in the summary, never 0', () => {
  it('is null when every sample lacks it, the sum of the known ones otherwise', () => {
    const [none, mixed, all] = summarizeSamples(
      [
        sample('none', unknown),
        sample('none', unknown),
        sample('mixed', known),
        sample('mixed', unknown),
        sample('all', known),
        sample('all', { bytes_sent: 0, cache_write_tokens: 0, reasoning_tokens: 0 }),
      ],
      ['none', 'mixed', 'all'],
    );
    expect(none).toMatchObject({ bytes_sent: null, cache_write_tokens: null, reasoning_tokens: null });
    expect(mixed).toMatchObject({ bytes_sent: 4000, cache_write_tokens: 300, reasoning_tokens: 20 });
    // a known 0 stays 0
    expect(all).toMatchObject({ bytes_sent: 4000, cache_write_tokens: 300, reasoning_tokens: 20 });
  });

  it('shows n/a in the terminal table', () => {
    const variants = summarizeSamples([sample('ingested', unknown)]);
    const table = formatSummaryTable(
      { run_id: 'r', results_dir: '/tmp', run_dir: '/tmp/r', status: 'completed', variants },
      { color: false },
    );
    // columns: variant samples pass turns input cached hit rate writes ...
    expect(table).toMatch(/^ingested\s+1\s+n\/a\s+2\s+1000\s+500\s+50\.0%\s+n\/a\s/m);
    expect(formatCompact(null)).toBe('n/a');
    expect(formatCompact(0)).toBe('0');
  });

  it('an ingested Codex log: no bytes sent in the run summary (--json) or per turn in the report', async () => {
    const log = fixture('v0.46', 'rollout-2025-10-29T00-59-38-019a2d7a-41c4-78b1-b7cc-a45d62a89cd5.jsonl');
    const result = await ingestLogs({
      inputs: [log],
      runId: 'ingested',
      resultsDir: join(tmp, 'results'),
      groupBy: 'session',
      range: { from: null, to: null },
      since: null,
      until: null,
      pricing: await loadPricing(),
    });
    expect(result.stats.turns).toBeGreaterThan(0);
    const summary = await summarizeRun(result.runDir);
    expect(summary.variants.map((v) => [v.variant, v.bytes_sent])).toEqual([['codex', null]]);
    expect(JSON.parse(JSON.stringify(summary)).variants[0].bytes_sent).toBeNull();

    const outDir = join(tmp, 'report');
    mkdirSync(outDir);
    const { data } = await writeReport(result.runDir, { outDir });
    const points = data.by_turn.codex ?? [];
    expect(points.length).toBeGreaterThan(0);
    for (const p of points) {
      expect(p.mean_bytes).toBeNull();
      expect(p.cum_bytes).toBeNull();
      expect(p.mean_input).toBeGreaterThan(0);
    }
  });
});
