import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { costUsd, loadPricing, type Pricing, priceFor } from '../../../src/config/pricing.js';
import { SampleRecordSchema, type TurnRecord, TurnRecordSchema } from '../../../src/telemetry/index.js';
import { assertBuilt, localRunArgs, REPO, readJsonl, runCli } from './helpers.js';

/**
 * The real CLI runs the built-in loop (the `openai` SDK) against the built-in sim over HTTP with a
 * GPT-6.2 Sol model name, whose cache profile reports writes with their retention split, as the
 * Responses API does. Only `prompt_cache_options.ttl: 12h` (the variant's `prompt_cache_options`) makes
 * 12-hour writes; `prompt_cache_retention: 24h` does not.
 */
const MODEL = 'gpt-6.2-sol';
// long enough (over 1024 tokens) for the first prompt to be written to the cache
const INSTRUCTIONS = `You are a careful coding agent in a sandbox. ${'Follow the house rules closely and check your work. '.repeat(120)}`;

function suiteYaml(): string {
  const variant = (name: string, extra: Record<string, unknown>) => ({
    name,
    provider: 'sim',
    model: MODEL,
    instructions: INSTRUCTIONS,
    ...extra,
  });
  return toYaml({
    name: 'ttl-writes',
    tasks: [join(REPO, 'tasks/demo/hello-files')],
    variants: [
      variant('writes-30m', { prompt_cache_options: { ttl: '30m' } }),
      variant('writes-12h', { prompt_cache_options: { ttl: '12h' } }),
      variant('retention-24h', { prompt_cache_retention: '24h' }),
    ],
  });
}

const resultsDir = mkdtempSync(join(tmpdir(), 'tb-ttl-writes-'));
const suiteFile = join(resultsDir, 'suite.yaml');
let shipped: Pricing;

const turnsOf = (run: string): TurnRecord[] =>
  readJsonl(join(resultsDir, run, 'turns.jsonl')).map((l) => TurnRecordSchema.parse(l));

const priced = (pricing: Pricing, t: TurnRecord, twelveHours: number | null) =>
  costUsd(priceFor(pricing, t.model), {
    inputTokens: t.input_tokens,
    cachedTokens: t.cached_tokens,
    cacheWriteTokens: t.cache_write_tokens,
    cacheWrite12hTokens: twelveHours,
    outputTokens: t.output_tokens,
  });

async function run(runId: string): Promise<void> {
  const r = await runCli(localRunArgs(suiteFile, runId, resultsDir));
  expect(r.code, r.stderr.slice(-2000)).toBe(0);
}

beforeAll(async () => {
  assertBuilt();
  writeFileSync(suiteFile, suiteYaml());
  shipped = await loadPricing();
  await run('ttl');
}, 200_000);

describe('12-hour cache writes through a run', () => {
  it('records the 12-hour part of the writes on the turn and prices it at cache_write_12h', () => {
    const turns = turnsOf('ttl');
    const byVariant = (v: string) => turns.filter((t) => t.variant === v);
    for (const v of ['writes-30m', 'writes-12h', 'retention-24h'])
      expect(byVariant(v).length, v).toBeGreaterThan(1);

    const twelve = byVariant('writes-12h');
    const written = twelve.reduce((n, t) => n + (t.cache_write_tokens ?? 0), 0);
    expect(written).toBeGreaterThan(1024); // the first prompt at least
    for (const t of twelve) {
      // every write of the request is a 12-hour one
      expect(t.cache_write_12h_tokens, `turn ${t.turn}`).toBe(t.cache_write_tokens);
      expect(t.cost_usd).toBeCloseTo(priced(shipped, t, t.cache_write_12h_tokens) ?? -1, 12);
    }
    // what the 12-hour rate adds over pricing the same writes as 30-minute ones: $2.50 per million
    const recorded = twelve.reduce((sum, t) => sum + (t.cost_usd ?? 0), 0);
    const as30m = twelve.reduce((sum, t) => sum + (priced(shipped, t, 0) ?? 0), 0);
    expect(recorded - as30m).toBeCloseTo((written * 2.5) / 1e6, 12);

    // the ttl 30m variant and prompt_cache_retention 24h write 30-minute entries only: a known 0
    for (const v of ['writes-30m', 'retention-24h']) {
      const ts = byVariant(v);
      expect(
        ts.reduce((n, t) => n + (t.cache_write_tokens ?? 0), 0),
        v,
      ).toBeGreaterThan(1024);
      for (const t of ts) {
        expect(t.cache_write_12h_tokens, `${v} turn ${t.turn}`).toBe(0);
        expect(t.cost_usd).toBeCloseTo(priced(shipped, t, 0) ?? -1, 12);
      }
    }
  });

  it('report --pricing re-prices the 12-hour writes at the file’s cache_write_12h', async () => {
    const file = join(resultsDir, 'dear-12h.yaml');
    writeFileSync(
      file,
      toYaml({
        models: {
          [`${MODEL}*`]: { input: 2, cached_input: 0.1, cache_write: 2.5, cache_write_12h: 50, output: 10 },
        },
      }),
    );
    const r = await runCli(['report', 'ttl', '--results-dir', resultsDir, '--pricing', file]);
    expect(r.code, r.stderr).toBe(0);
    const dear = await loadPricing(file);
    const rows = parseCsv(readFileSync(join(resultsDir, 'ttl', 'turns.csv'), 'utf8'), {
      columns: true,
    }) as Record<string, string>[];
    const turns = turnsOf('ttl');
    expect(rows).toHaveLength(turns.length);
    for (const [i, t] of turns.entries()) {
      const row = rows[i]!;
      expect(row.cache_write_12h_tokens).toBe(String(t.cache_write_12h_tokens));
      expect(Number(row.cost_usd)).toBeCloseTo(priced(dear, t, t.cache_write_12h_tokens) ?? -1, 12);
    }
    const twelve = turns.filter((t) => t.variant === 'writes-12h');
    const repriced = rows.filter((row) => row.variant === 'writes-12h');
    // the 12-hour writes now cost $50 per million instead of $5
    const delta =
      repriced.reduce((s, row) => s + Number(row.cost_usd), 0) -
      twelve.reduce((s, t) => s + (t.cost_usd ?? 0), 0);
    const written = twelve.reduce((n, t) => n + (t.cache_write_12h_tokens ?? 0), 0);
    expect(delta).toBeCloseTo((written * 45) / 1e6, 12);
  });
});

describe('a run folder written before cache_write_12h_tokens', () => {
  /** The run as an older turnbench wrote it: no cache_write_12h_tokens on any turn line. */
  beforeAll(async () => {
    await run('old');
    const file = join(resultsDir, 'old', 'turns.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const stripped = lines.map((l) => {
      const { cache_write_12h_tokens: _gone, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return JSON.stringify(rest);
    });
    writeFileSync(file, `${stripped.join('\n')}\n`);
    expect(readFileSync(file, 'utf8')).not.toContain('cache_write_12h_tokens');
  }, 200_000);

  it('reads as unknown, and report, inspect, compare, history and merge work on it', async () => {
    for (const t of turnsOf('old')) expect(t.cache_write_12h_tokens).toBeNull();

    const report = await runCli(['report', 'old', '--results-dir', resultsDir]);
    expect(report.code, report.stderr).toBe(0);
    const rows = parseCsv(readFileSync(join(resultsDir, 'old', 'turns.csv'), 'utf8'), {
      columns: true,
    }) as Record<string, string>[];
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.cache_write_12h_tokens).toBe('');

    // re-priced without a split: every write at the 30-minute rate (the documented under-count)
    const repriced = await runCli([
      'report',
      'old',
      '--results-dir',
      resultsDir,
      '--pricing',
      join(REPO, 'pricing.yaml'),
    ]);
    expect(repriced.code, repriced.stderr).toBe(0);
    const again = parseCsv(readFileSync(join(resultsDir, 'old', 'turns.csv'), 'utf8'), {
      columns: true,
    }) as Record<string, string>[];
    for (const [i, t] of turnsOf('old').entries()) {
      expect(Number(again[i]!.cost_usd)).toBeCloseTo(priced(shipped, t, null) ?? -1, 12);
    }

    const inspect = await runCli(['inspect', 'old', '--results-dir', resultsDir, '--json']);
    expect(inspect.code, inspect.stderr).toBe(0);
    const inspected = JSON.parse(inspect.stdout) as { turns: { cache_write_12h_tokens: unknown }[] };
    expect(inspected.turns.length).toBeGreaterThan(0);
    for (const t of inspected.turns) expect(t.cache_write_12h_tokens).toBeNull();

    const compare = await runCli(['compare', 'old', 'ttl', '--results-dir', resultsDir]);
    expect(compare.code, compare.stderr).toBe(0);

    const history = await runCli(['history', '--results-dir', resultsDir, '--json']);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toContain('"old"');

    const merge = await runCli(['merge', 'old', '--run-id', 'old-merged', '--results-dir', resultsDir]);
    expect(merge.code, merge.stderr).toBe(0);
    expect(turnsOf('old-merged').map((t) => t.cache_write_12h_tokens)).toEqual(
      turnsOf('old').map(() => null),
    );
  });

  it('resumes: the new samples write the field beside the old lines, and both read', async () => {
    // forget the 12-hour variant's sample, as if the run had crashed before it finished
    const samplesFile = join(resultsDir, 'old', 'samples.jsonl');
    const kept = readFileSync(samplesFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .filter((l) => SampleRecordSchema.parse(JSON.parse(l)).variant !== 'writes-12h');
    writeFileSync(samplesFile, `${kept.join('\n')}\n`);

    const resumed = await runCli([
      'run',
      '--resume',
      'old',
      '--sandbox',
      'local',
      '--results-dir',
      resultsDir,
    ]);
    expect(resumed.code, resumed.stderr.slice(-2000)).toBe(0);
    const lines = readFileSync(join(resultsDir, 'old', 'turns.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean);
    const withField = lines.filter((l) => l.includes('"cache_write_12h_tokens"'));
    expect(withField.length).toBeGreaterThan(0);
    expect(withField.length).toBeLessThan(lines.length);
    const turns = turnsOf('old');
    for (const t of turns) {
      if (t.variant === 'writes-12h') expect(t.cache_write_12h_tokens).toBe(t.cache_write_tokens);
      else expect(t.cache_write_12h_tokens).toBeNull();
    }
    const report = await runCli(['report', 'old', '--results-dir', resultsDir]);
    expect(report.code, report.stderr).toBe(0);
  });
});
