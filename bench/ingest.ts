import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  rmSync,
  statSync,
  type WriteStream,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadPricing } from '../src/config/index.js';
import { ingestLogs } from '../src/ingest/index.js';
import { wordSource } from './prefix.js';
import { type Target, target } from './targets.js';
import { collectGarbage, LiveHeapSampler, MemorySampler, megabytes, round } from './util.js';

/**
 * `turnbench ingest` over a generated Codex rollout of ~100 MB (the shape Codex 0.171 writes:
 * reasoning, tool calls with their outputs, usage records, repeated token counts, a compaction every
 * 40 requests, a new task every 8, a two-hour gap now and then). Measures throughput (MB/s) and peak
 * memory of the whole ingest (parse, history rebuild, prefix check, records written), against a
 * baseline in the same run: a readline line count of the same file. A 10 MB log is ingested too, so
 * the memory of the two sizes shows whether memory grows with the file.
 *
 * Peak RSS and peak heap in use are sampled while the timed ingest runs; they include garbage not
 * yet collected, so they follow V8's collection schedule (which lets the heap grow longer on a
 * longer run) as much as what is alive. What is alive is measured in a second ingest of each file
 * with a full collection every 250 ms: the live heap. Bounded memory means the live heap of the
 * big log stays within LIVE_HEAP_TARGET_RATIO of the small one's.
 */
const TARGET_MB = Number(process.env.BENCH_INGEST_MB ?? 100);
const SMALL_MB = 10;
const LIVE_HEAP_TARGET_RATIO = 1.25;
const SESSION = '0199bbbb-cccc-7ddd-8eee-ffffffffffff';

async function write(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

function opaque(seed: number, chars: number): string {
  let state = seed >>> 0;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let s = '';
  for (let i = 0; i < chars; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    s += alphabet[state % 64];
  }
  return s;
}

/** Writes a rollout of about `mb` megabytes; returns the number of model requests in it. */
async function generateRollout(file: string, mb: number, seed: number): Promise<number> {
  const out = createWriteStream(file, { encoding: 'utf8' });
  const text = wordSource(seed);
  let clock = Date.parse('2026-06-01T08:00:00Z');
  let ordinal = 0;
  const line = (type: string, payload: unknown) =>
    `${JSON.stringify({ timestamp: new Date(clock).toISOString(), ordinal: ordinal++, type, payload })}\n`;
  const usage = (input: number, cached: number, output: number) => ({
    input_tokens: input,
    cached_input_tokens: cached,
    cache_write_input_tokens: input - cached,
    output_tokens: output,
    reasoning_output_tokens: 16,
    total_tokens: input + output,
  });
  const total = usage(0, 0, 0);
  const addTotal = (u: ReturnType<typeof usage>) => {
    for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += u[k];
  };
  const message = (role: string, body: string, kind = 'input_text') => ({
    type: 'message',
    role,
    content: [{ type: kind, text: body }],
  });

  await write(
    out,
    line('session_meta', {
      id: SESSION,
      timestamp: new Date(clock).toISOString(),
      cwd: '/work/project',
      originator: 'codex_exec',
      cli_version: '0.171.0',
      source: 'exec',
      model_provider: 'openai',
      base_instructions: { text: text(2000) },
    }),
  );
  const initial = [
    message('developer', text(400)),
    message('user', `<environment_context>${text(40)}</environment_context>`),
  ];
  for (const item of initial) await write(out, line('response_item', item));

  let requests = 0;
  let context = 9000;
  let previousInput = 0;
  while (out.bytesWritten + out.writableLength < mb * 1e6) {
    if (requests % 8 === 0) {
      if (requests % 400 === 0 && requests > 0) clock += 2 * 3600_000; // the cache expires
      await write(out, line('event_msg', { type: 'task_started', turn_id: `t${requests}` }));
      await write(
        out,
        line('turn_context', { model: 'gpt-5.1-codex', effort: 'medium', cwd: '/work/project' }),
      );
      await write(out, line('response_item', message('user', text(60))));
    }
    clock += 40;
    const call = `call_${requests}`;
    await write(
      out,
      line('response_item', {
        type: 'reasoning',
        summary: [],
        encrypted_content: opaque(seed * 1_000_003 + requests, 1200),
      }),
    );
    await write(
      out,
      line('response_item', {
        type: 'function_call',
        name: 'exec_command',
        arguments: JSON.stringify({ cmd: text(12) }),
        call_id: call,
      }),
    );
    context += 700;
    const cached = previousInput === 0 ? 0 : Math.floor(previousInput / 128) * 128;
    const u = usage(context, Math.min(cached, context), 60);
    addTotal(u);
    clock += 900;
    await write(
      out,
      line('token_usage_record', {
        thread_id: SESSION,
        response_id: `resp_${requests}`,
        usage: u,
        thread_token_usage: { ...total },
      }),
    );
    const output = text(500);
    await write(
      out,
      line('event_msg', {
        type: 'item_completed',
        item: { type: 'CommandExecution', id: call, aggregated_output: output },
      }),
    );
    await write(out, line('response_item', { type: 'function_call_output', call_id: call, output }));
    const count = line('event_msg', {
      type: 'token_count',
      info: { total_token_usage: { ...total }, last_token_usage: u },
    });
    await write(out, count);
    if (requests % 5 === 0) await write(out, count); // Codex repeats token counts
    previousInput = context;
    requests++;

    if (requests % 40 === 0) {
      // an inline compaction: the summary request, then the replacement history
      await write(out, line('response_item', message('assistant', text(200), 'output_text')));
      const s = usage(context - 2000, 0, 300);
      addTotal(s);
      // as Codex 0.171 logs an inline summary request: a record with its id, then a token_count
      await write(
        out,
        line('token_usage_record', {
          thread_id: SESSION,
          response_id: `resp_summary_${requests}`,
          usage: s,
          thread_token_usage: { ...total },
        }),
      );
      await write(
        out,
        line('event_msg', {
          type: 'token_count',
          info: { total_token_usage: { ...total }, last_token_usage: s },
        }),
      );
      await write(
        out,
        line('compacted', {
          message: '',
          replacement_history: [
            ...initial,
            message('user', text(60)),
            message('user', `Summary: ${text(300)}`),
          ],
        }),
      );
      context = 9000;
      previousInput = 0;
    }
    if (requests % 8 === 0)
      await write(out, line('event_msg', { type: 'task_complete', last_agent_message: text(30) }));
  }
  out.end();
  await once(out, 'finish');
  return requests;
}

function generateInChild(file: string, mb: number, seed: number): number {
  const args = [fileURLToPath(import.meta.url), '--generate', file, String(mb), String(seed)];
  return Number(execFileSync(process.execPath, args, { encoding: 'utf8' }).trim());
}

async function countLines(file: string): Promise<number> {
  let n = 0;
  for await (const _ of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) n++;
  return n;
}

async function measure<T>(fn: () => Promise<T>): Promise<{
  ms: number;
  peak_rss_mb: number;
  peak_heap_used_mb: number;
  heap_after_gc_mb: number;
  result: T;
}> {
  collectGarbage();
  const sampler = new MemorySampler(20);
  const start = performance.now();
  const result = await fn();
  const ms = performance.now() - start;
  const peaks = sampler.stop();
  // What stays alive (the peak above includes garbage not yet collected).
  collectGarbage();
  return { ms, ...peaks, heap_after_gc_mb: megabytes(process.memoryUsage().heapUsed), result };
}

async function ingestFile(root: string, file: string, runId: string) {
  const pricing = await loadPricing();
  return ingestLogs({
    inputs: [file],
    runId,
    resultsDir: join(root, 'results'),
    groupBy: 'session',
    range: { from: null, to: null },
    since: null,
    until: null,
    pricing,
  });
}

function ingestOnce(root: string, file: string, runId: string) {
  return measure(() => ingestFile(root, file, runId));
}

/** The same ingest with a full collection every 250 ms: the heap that is alive, not the garbage. */
async function liveHeapOf(root: string, file: string, runId: string) {
  collectGarbage();
  const sampler = new LiveHeapSampler(250);
  await ingestFile(root, file, runId);
  const live = sampler.stop();
  const growth =
    live.live_heap_peak_mb === null || live.heap_before_mb === null
      ? null
      : round(live.live_heap_peak_mb - live.heap_before_mb, 1);
  return { ...live, live_heap_growth_mb: growth };
}

/** The bounded-memory target (issue 11), gathered with the other benchmarks' targets. */
function liveTargets(big: number | null, small: number | null, mb: number, smallMb: number): Target[] {
  if (big === null || small === null) return [];
  return [
    target({
      what: `ingest live heap, ${Math.round(mb)} MB Codex log vs ${Math.round(smallMb)} MB (issue 11: bounded memory)`,
      figure: big,
      baseline: small,
      unit: 'MB',
      limit: LIVE_HEAP_TARGET_RATIO,
      how: 'peak heap in use after a full GC every 250 ms during each ingest, in one process',
    }),
  ];
}

export async function benchIngest(): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'turnbench-bench-ingest-'));
  try {
    const big = join(root, 'rollout-big.jsonl');
    const small = join(root, 'rollout-small.jsonl');
    // Written by a child process, so the memory of writing them is not in the figures.
    const requests = generateInChild(big, TARGET_MB, 7);
    generateInChild(small, SMALL_MB, 11);
    const mb = statSync(big).size / 1e6;
    const smallMb = statSync(small).size / 1e6;

    // Warm-up (untimed): the file in the page cache, the tokenizer and the code paths compiled.
    await countLines(big);
    const warm = join(root, 'rollout-warm.jsonl');
    generateInChild(warm, 1, 3);
    await ingestOnce(root, warm, 'warm');
    const baseline = await measure(() => countLines(big));
    const smaller = await ingestOnce(root, small, 'small');
    const full = await ingestOnce(root, big, 'big');
    const stats = full.result.stats;
    const smallLive = await liveHeapOf(root, small, 'small-live');
    const bigLive = await liveHeapOf(root, big, 'big-live');
    const liveRatio =
      bigLive.live_heap_peak_mb === null || smallLive.live_heap_peak_mb === null
        ? null
        : round(bigLive.live_heap_peak_mb / smallLive.live_heap_peak_mb);
    return {
      bench: 'ingest',
      input_mb: round(mb),
      lines: baseline.result,
      requests_in_log: requests,
      turns_ingested: stats.turns,
      warnings: full.result.warnings,
      baseline: 'readline line count of the same file',
      baseline_ms: Math.round(baseline.ms),
      baseline_mb_per_s: round(mb / (baseline.ms / 1000)),
      baseline_peak_rss_mb: baseline.peak_rss_mb,
      ingest_ms: Math.round(full.ms),
      ingest_mb_per_s: round(mb / (full.ms / 1000)),
      ingest_vs_baseline_time: round(full.ms / baseline.ms),
      ingest_peak_rss_mb: full.peak_rss_mb,
      ingest_peak_heap_used_mb: full.peak_heap_used_mb,
      ingest_heap_after_gc_mb: full.heap_after_gc_mb,
      small_input_mb: round(smallMb),
      small_ingest_ms: Math.round(smaller.ms),
      small_peak_rss_mb: smaller.peak_rss_mb,
      small_peak_heap_used_mb: smaller.peak_heap_used_mb,
      small_heap_after_gc_mb: smaller.heap_after_gc_mb,
      input_ratio_big_vs_small: round(mb / smallMb),
      peak_rss_ratio_big_vs_small: round(full.peak_rss_mb / smaller.peak_rss_mb),
      peak_heap_ratio_big_vs_small: round(full.peak_heap_used_mb / smaller.peak_heap_used_mb),
      // The heap before each live run holds the loaded code and the tokenizer's tables; the growth
      // above it is what the ingest itself keeps alive.
      live_heap_before_mb: bigLive.heap_before_mb,
      live_heap_peak_mb: bigLive.live_heap_peak_mb,
      live_heap_growth_mb: bigLive.live_heap_growth_mb,
      live_heap_samples: bigLive.live_heap_samples,
      small_live_heap_before_mb: smallLive.heap_before_mb,
      small_live_heap_peak_mb: smallLive.live_heap_peak_mb,
      small_live_heap_growth_mb: smallLive.live_heap_growth_mb,
      small_live_heap_samples: smallLive.live_heap_samples,
      live_heap_ratio_big_vs_small: liveRatio,
      live_heap_target_ratio: LIVE_HEAP_TARGET_RATIO,
      live_heap_target_held: liveRatio === null ? null : liveRatio <= LIVE_HEAP_TARGET_RATIO,
      targets: liveTargets(bigLive.live_heap_peak_mb, smallLive.live_heap_peak_mb, mb, smallMb),
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [flag, file, mb, seed] = process.argv.slice(2);
  if (flag === '--generate' && file) console.log(await generateRollout(file, Number(mb), Number(seed)));
  else console.log(JSON.stringify(await benchIngest(), null, 2));
}
