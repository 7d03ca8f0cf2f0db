import { once } from 'node:events';
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  rmSync,
  statSync,
  type WriteStream,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { summarizeRun, writeReport } from '../src/report/index.js';
import {
  EventRecordSchema,
  type RunManifest,
  RunManifestSchema,
  type SampleRecord,
  SampleRecordSchema,
  type TurnRecord,
  TurnRecordSchema,
} from '../src/telemetry/index.js';

/**
 * Report generation over a large run: 10,000 samples and 500,000 turns (50 per sample), generated on
 * disk first. Measures `summarizeRun` (samples only) and the full `report` (md, html, both CSVs) for
 * time and peak RSS, against a baseline measured in the same run: plain line counting of the same files
 * with node:readline (the floor for any streaming reader).
 */
const SAMPLES = Number(process.env.BENCH_REPORT_SAMPLES ?? 10_000);
const TURNS_PER_SAMPLE = 50;
const VARIANTS = ['stable', 'unstable'];
const RUN_ID = 'bench-report';

async function write(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

function turnRecord(s: SampleRecord, t: number, unstable: boolean): TurnRecord {
  const input = 1200 + 300 * (t - 1);
  const cached = t === 1 || unstable ? 0 : Math.floor((input - 300) / 128) * 128;
  return {
    schema: 1,
    run_id: RUN_ID,
    sample_id: s.sample_id,
    task_id: s.task_id,
    variant: s.variant,
    epoch: s.epoch,
    turn: t,
    kind: 'agent',
    started_at: '2025-01-01T00:00:00.000Z',
    latency_ms: 400,
    ttft_ms: 100,
    provider: 'sim',
    model: 'sim-1',
    response_id: `resp_${s.sample_id}_${t}`,
    input_tokens: input,
    cached_tokens: cached,
    cache_write_tokens: 0,
    cache_write_12h_tokens: null,
    output_tokens: 50,
    reasoning_tokens: 10,
    cache_hit_rate: cached / input,
    bytes_sent: input * 4,
    item_count: 2 * t + 2,
    instructions_hash: unstable ? `i${t}` : 'i0',
    tools_hash: 't0',
    items_hash: `h${t}`,
    prefix: {
      extends_previous: t === 1 ? null : !unstable,
      diverged_at: unstable && t > 1 ? 'instructions' : null,
      reason: unstable && t > 1 ? 'instructions_changed' : null,
      lost_tokens: unstable && t > 1 ? Math.floor((input - 300) / 128) * 128 : null,
      detail: null,
    },
    expected_cached_tokens: cached,
    cache_class: t === 1 ? 'first_turn' : unstable ? 'harness_break' : 'hit',
    provider_diagnostics: null,
    after_compaction: false,
    tool_calls: 1,
    retries: 0,
    cost_usd: ((input - cached) * 1.25 + cached * 0.125 + 500) / 1e6,
    incomplete_reason: null,
  };
}

/** Writes the run folder; the first sample's records are validated against the results contract. */
export async function generateLargeRun(resultsDir: string, samples = SAMPLES): Promise<string> {
  const dir = join(resultsDir, RUN_ID);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  const sampleOut = createWriteStream(join(dir, 'samples.jsonl'));
  const turnOut = createWriteStream(join(dir, 'turns.jsonl'));
  const eventOut = createWriteStream(join(dir, 'events.jsonl'));
  const ids: string[] = [];
  for (let i = 0; i < samples; i++) {
    const variant = VARIANTS[i % VARIANTS.length]!;
    const unstable = variant === 'unstable';
    const epoch = 1 + (Math.floor(i / VARIANTS.length) % 2);
    const task = `task-${Math.floor(i / (VARIANTS.length * 2))}`;
    const sample: SampleRecord = {
      schema: 1,
      run_id: RUN_ID,
      sample_id: `${task}__${variant}__e${epoch}`,
      task_id: task,
      variant,
      epoch,
      tags: [],
      status: 'completed',
      stop_reason: 'final',
      passed: i % 3 !== 0,
      score: i % 3 !== 0 ? 1 : 0,
      score_detail: null,
      final_answer: 'done',
      turns: TURNS_PER_SAMPLE,
      input_tokens: 0,
      cached_tokens: 0,
      cache_write_tokens: 0,
      output_tokens: 50 * TURNS_PER_SAMPLE,
      reasoning_tokens: 10 * TURNS_PER_SAMPLE,
      bytes_sent: 0,
      tool_calls: TURNS_PER_SAMPLE,
      tool_errors: 0,
      compactions: 0,
      cache_breaks: unstable ? TURNS_PER_SAMPLE - 1 : 0,
      cost_usd: 0,
      started_at: '2025-01-01T00:00:00.000Z',
      ended_at: '2025-01-01T00:00:20.000Z',
      wall_ms: 20_000,
      error: null,
    };
    ids.push(sample.sample_id);
    let turns = '';
    let events = '';
    for (let t = 1; t <= TURNS_PER_SAMPLE; t++) {
      const turn = turnRecord(sample, t, unstable);
      if (i === 0) TurnRecordSchema.parse(turn);
      sample.input_tokens += turn.input_tokens;
      sample.cached_tokens = (sample.cached_tokens ?? 0) + (turn.cached_tokens ?? 0);
      sample.bytes_sent = (sample.bytes_sent ?? 0) + (turn.bytes_sent ?? 0);
      sample.cost_usd = (sample.cost_usd ?? 0) + (turn.cost_usd ?? 0);
      turns += `${JSON.stringify(turn)}\n`;
      const event = {
        schema: 1,
        run_id: RUN_ID,
        sample_id: sample.sample_id,
        at: turn.started_at,
        turn: t,
        type: 'tool_call',
        call_id: `c${t}`,
        tool: 'shell',
        ok: true,
        error: null,
        exit_code: 0,
        duration_ms: 20,
        output_bytes: 100,
        truncated: false,
      } as const;
      if (i === 0) EventRecordSchema.parse(event);
      events += `${JSON.stringify(event)}\n`;
    }
    if (i === 0) SampleRecordSchema.parse(sample);
    await write(turnOut, turns);
    await write(eventOut, events);
    await write(sampleOut, `${JSON.stringify(sample)}\n`);
  }
  await Promise.all([sampleOut, turnOut, eventOut].map((s) => new Promise((r) => s.end(r))));
  const manifest: RunManifest = RunManifestSchema.parse({
    schema: 1,
    run_id: RUN_ID,
    suite_name: 'bench',
    suite_path: 'bench/suite.yaml',
    suite: { variants: VARIANTS.map((name) => ({ name })) },
    suite_hash: 'bench',
    sample_ids: ids,
    status: 'completed',
    started_at: '2025-01-01T00:00:00.000Z',
    ended_at: '2025-01-01T01:00:00.000Z',
    versions: { turnbench: '0.0.0', node: process.version, openai: '0' },
    shard: null,
  });
  writeFileSync(join(dir, 'run.json'), JSON.stringify(manifest));
  return dir;
}

async function countLines(file: string): Promise<number> {
  let n = 0;
  for await (const _ of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) n++;
  return n;
}

/** Runs `fn` while sampling RSS every 20 ms; reports wall time and the peak RSS seen. */
async function measure<T>(fn: () => Promise<T>): Promise<{ ms: number; peak_rss_mb: number; result: T }> {
  (globalThis as { gc?: () => void }).gc?.();
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  const start = performance.now();
  try {
    const result = await fn();
    const ms = performance.now() - start;
    peak = Math.max(peak, process.memoryUsage.rss());
    return { ms, peak_rss_mb: Math.round(peak / 1e5) / 10, result };
  } finally {
    clearInterval(timer);
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

export async function benchReport(): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'turnbench-bench-report-'));
  try {
    const gen = await measure(() => generateLargeRun(root));
    const runDir = gen.result;
    const files = ['samples.jsonl', 'turns.jsonl', 'events.jsonl'].map((f) => join(runDir, f));
    const bytes = files.reduce((a, f) => a + statSync(f).size, 0);
    const baseline = await measure(async () => {
      let lines = 0;
      for (const f of files) lines += await countLines(f);
      return lines;
    });
    const summary = await measure(() => summarizeRun(runDir));
    const report = await measure(() => writeReport(runDir));
    const htmlBytes = statSync(report.result.files.html).size;
    return {
      bench: 'report',
      samples: SAMPLES,
      turns: SAMPLES * TURNS_PER_SAMPLE,
      input_mb: round(bytes / 1e6),
      generate_ms: Math.round(gen.ms),
      baseline: 'readline line count of samples/turns/events.jsonl',
      baseline_ms: Math.round(baseline.ms),
      baseline_lines: baseline.result,
      baseline_peak_rss_mb: baseline.peak_rss_mb,
      summary_ms: Math.round(summary.ms),
      summary_peak_rss_mb: summary.peak_rss_mb,
      report_ms: Math.round(report.ms),
      report_peak_rss_mb: report.peak_rss_mb,
      report_vs_baseline: round(report.ms / baseline.ms),
      html_mb: round(htmlBytes / 1e6),
      turns_csv_mb: round(statSync(report.result.files.turnsCsv).size / 1e6),
      drilldown_partial: report.result.data.drilldown_partial,
      variants: report.result.data.summary.variants.map((v) => ({
        variant: v.variant,
        cache_hit_rate: round(v.cache_hit_rate),
      })),
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchReport(), null, 2));
}
