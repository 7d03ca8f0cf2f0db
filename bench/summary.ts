/** The short human summary of a bench run (stderr); the JSON file holds every figure. */
import type { BenchFigures, BenchName } from './registry.js';

/** A figure by dotted path, or undefined when the benchmark does not report it. */
function at(figures: BenchFigures, path: string): unknown {
  let value: unknown = figures;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '?';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string')
    return String(value);
  return JSON.stringify(value);
}

type Headline = (f: (path: string) => string) => string[];

const HEADLINES: Record<BenchName, Headline> = {
  sim: (f) => [
    `server time per request at ~100k tokens (last 20 turns): CPU ${f('server_cpu_ms_last_20_turns_median')} ms median (target < ${f('target_median_ms')} ms, met: ${f('target_met')}), ` +
      `wall ${f('server_ms_last_20_turns_median')} ms; whole conversation ${f('server_ms_per_request_median')} ms wall median, ` +
      `${f('speedup_vs_full_retokenise')}x faster than full re-tokenisation (${f('baseline_full_retokenise_ms_median')} ms); ` +
      `p95 ${f('server_ms_per_request_p95')} ms, last turn ${f('server_ms_last_turn')} ms at ${f('final_prompt_tokens')} tokens; ` +
      `CPU over the whole conversation ${f('server_cpu_ms_per_request_median')} ms median`,
    `${f('requests_per_s_64_streams')} requests/s at 64 concurrent streams`,
    `sim CPU per ~40 KB request over HTTP: ${f('codex_sized_request.in_conversation.sim_cpu_ms_per_request')} ms in a conversation, ` +
      `${f('codex_sized_request.cold.sim_cpu_ms_per_request')} ms cold (ceiling ${f('codex_sized_request.limit_ms')} ms)`,
    `Codex-sized requests (${f('codex_sized.body_kb_first')}-${f('codex_sized.body_kb_last')} KB): ${f('codex_sized.cpu_ms_per_request_median')} ms CPU each ` +
      `(${f('codex_sized.ratio_vs_parse_stringify')}x a bare JSON parse + stringify of the body)`,
  ],
  floor: (f) => [
    `single-turn (${f('single_turn.samples')} samples): turnbench ${f('single_turn.turnbench.cpu_ms_median')} ms CPU vs floor ` +
      `${f('single_turn.floor.cpu_ms_median')} ms (${f('single_turn.cpu_ratio_median')}x, +${f('single_turn.harness_cpu_us_per_turn_over_floor')} us/turn)`,
    `20-turn (${f('conversation_20.samples')} conversations): turnbench ${f('conversation_20.turnbench.cpu_ms_median')} ms CPU vs floor ` +
      `${f('conversation_20.floor.cpu_ms_median')} ms (${f('conversation_20.cpu_ratio_median')}x, +${f('conversation_20.harness_cpu_us_per_turn_over_floor')} us/turn)`,
    `20-turn vs a floor that also runs the ${f('conversation_20.floor_with_tools.tool_calls')} shell calls as processes: ` +
      `${f('conversation_20.floor_with_tools.cpu_ms_median')} ms (${f('conversation_20.cpu_ratio_vs_floor_with_tools_median')}x, ` +
      `${f('conversation_20.harness_cpu_us_per_turn_over_floor_with_tools')} us/turn more for turnbench); ` +
      `that floor is itself ${f('conversation_20.floor_with_tools_vs_floor_median')}x the floor without tools: starting the processes alone`,
  ],
  startup: (f) => [
    `warm compile cache: --help ${f('help.cpu_ms_median')} ms CPU vs floor start ${f('floor_start.cpu_ms_median')} ms (${f('ratios.help_warm')}x); 1-sample run ` +
      `${f('run.cpu_ms_median')} ms vs floor request ${f('floor_request.cpu_ms_median')} ms (${f('ratios.run_warm')}x) (modules ${f('run.modules_loaded')}, dockerode loaded: ${f('run.dockerode_loaded')})`,
    `cold (empty cache): --help ${f('help_cold.cpu_ms_median')} ms vs ${f('floor_start_cold.cpu_ms_median')} ms (${f('ratios.help_cold')}x); 1-sample run ` +
      `${f('run_cold.cpu_ms_median')} ms vs ${f('floor_request_cold.cpu_ms_median')} ms (${f('ratios.run_cold')}x)`,
  ],
  memory: (f) => [
    `${f('samples')} samples: ${f('heap_mb')} MB heap ${f('capped.cpu_ms')} ms CPU, peak RSS ${f('capped.max_rss_mb')} MB; default heap ` +
      `${f('default_heap.cpu_ms')} ms, ${f('default_heap.max_rss_mb')} MB (ratio ${f('cpu_ratio_capped_vs_default')}); without the CLI's small-heap tuning ` +
      `${f('capped_without_small_heap_tuning.cpu_ms')} ms (ratio ${f('cpu_ratio_capped_untuned_vs_default')}); live heap by tenth ${f('live_heap_run.live_heap_mb_by_tenth')}`,
  ],
  docker: (f) =>
    f('skipped') !== '?'
      ? [`skipped: ${f('skipped')}`]
      : [
          `steady state, concurrency ${f('concurrency')}: docker ${f('docker_steady_ms_per_sample')} ms/sample vs local ${f('local_steady_ms_per_sample')} ms; ` +
            `engine floor ${f('engine_floor_steady_ms_per_container')} ms/container (${f('docker_vs_engine_floor')}x); ` +
            `the engine keeps the machine busy ${f('engine_machine_cpu_ms_per_container')} ms of CPU per container on ${f('cores')} cores: ` +
            `no fresh-container sample can come below ${f('docker_vs_local_bound_by_engine_cpu')}x local`,
        ],
  transport: (f) => [
    `${f('turns')}-turn conversation, WebSocket vs HTTP: bytes sent ${f('websocket.bytes_sent_total')} vs ${f('http.bytes_sent_total')} ` +
      `(${f('ratio_websocket_vs_http.bytes_sent_total')}x), median request ${f('websocket.request_ms_median')} ms vs ` +
      `${f('http.request_ms_median')} ms (${f('ratio_websocket_vs_http.request_ms_median')}x)`,
    `WebSocket with previous_response_id and only new items: bytes ${f('websocket_incremental.bytes_sent_total')} ` +
      `(${f('websocket_incremental.ratio_vs_http.bytes_sent_total')}x HTTP), median request ` +
      `${f('websocket_incremental.request_ms_median')} ms (${f('websocket_incremental.ratio_vs_http.request_ms_median')}x)`,
  ],
  prefix: (f) => [
    `prefix check: ${f('median_ms')} ms median per turn at ${f('context_tokens_start')} tokens (target < ${f('target_median_ms')} ms, met: ${f('meets_target')}), ` +
      `${f('speedup_vs_baseline')}x faster than the naive baseline (${f('baseline_median_ms')} ms)`,
  ],
  redact: (f) => [
    `stream redaction of a ${f('stream_mb')} MB answer: ${f('stream_16kb_chunks_ms')} ms in 16 KB chunks (${f('ratio_stream_16kb_vs_whole')}x one redact() of the whole, ` +
      `${f('whole_text_redact_ms')} ms), ${f('stream_200b_chunks_ms')} ms in 200 B chunks (${f('stream_200b_chunks_us_per_chunk')} us per chunk)`,
  ],
  tokens: (f) => [
    `token counting: 1 MB without whitespace ${f('bounded_ms_1mb_no_whitespace')} ms, CJK run ${f('bounded_ms_1mb_cjk_run')} ms, ` +
      `prose ${f('bounded_ms_1mb_prose')} ms (${f('bounded_error_pct_1mb_prose')}% off exact); plain library: 1 MB prose ` +
      `${f('library_ms_1mb_prose')} ms, 64 KB without whitespace ${f('library_ms_64kb_no_whitespace')} ms`,
  ],
  runner: (f) => [
    `samples/min (local sandbox, zero-latency sim): c1 ${f('samples_per_min.c1')}, c4 ${f('samples_per_min.c4')}, c16 ${f('samples_per_min.c16')} ` +
      `(c16/c1 ${f('samples_per_min.scaling_c16_vs_c1')}x)`,
    f('docker_c4.skipped') !== '?'
      ? `docker c4: skipped (${f('docker_c4.skipped')})`
      : `docker c4: ${f('docker_c4.samples_per_min')} samples/min over ${f('docker_c4.samples')} samples (${f('docker_c4.ratio_docker_vs_local')}x local)`,
    `CPU per turn: ${f('cpu_per_turn.in_process.cpu_us_per_turn')} us with the sim in-process, ` +
      `${f('cpu_per_turn.sim_in_child.harness_cpu_us_per_turn')} us harness-only + ${f('cpu_per_turn.sim_in_child.sim_child_cpu_us_per_turn')} us in the sim child ` +
      `(of which a bare bash spawn per sample: ${f('cpu_per_turn.local_spawn_baseline.cpu_us_per_spawn')} us; ` +
      `harness without it ~${f('cpu_per_turn.local_spawn_baseline.harness_cpu_us_per_turn_without_spawn_estimate')} us/turn)`,
    `memory: ${f('memory.large.samples')} samples peak RSS ${f('memory.large.peak_rss_mb')} MB, heap ${f('memory.large.peak_heap_used_mb')} MB; ` +
      `${f('memory.small.samples')} samples ${f('memory.small.peak_rss_mb')} MB, heap ${f('memory.small.peak_heap_used_mb')} MB ` +
      `(RSS ratio ${f('memory.peak_rss_ratio_large_vs_small')}x for ${f('memory.samples_ratio')}x the samples); ` +
      `live heap after GC at the end ${f('memory.large.heap_used_after_gc_mb')} MB vs ${f('memory.small.heap_used_after_gc_mb')} MB`,
  ],
  sandbox: (f) => [
    `tool exec: ${f('exec_median_ms')} ms median, ${f('exec_ratio_vs_raw_dockerode')}x raw dockerode (target <= ${f('exec_target_ratio_vs_raw')}, met: ${f('exec_meets_target')}), ` +
      `${f('exec_ratio_vs_docker_cli')}x the docker exec CLI`,
    `container create+start+remove: ${f('sandbox_create_start_remove_median_ms')} ms, ${f('container_ratio_vs_docker_run_rm')}x \`docker run --rm\``,
  ],
  ingest: (f) => [
    `ingest of a ${f('input_mb')} MB Codex log (${f('turns_ingested')} requests): ${f('ingest_mb_per_s')} MB/s, ` +
      `${f('ingest_vs_baseline_time')}x the time of a readline line count (${f('baseline_mb_per_s')} MB/s)`,
    `live heap (full GC every 250 ms): ${f('live_heap_peak_mb')} MB at ${f('input_mb')} MB vs ${f('small_live_heap_peak_mb')} MB at ${f('small_input_mb')} MB ` +
      `(ratio ${f('live_heap_ratio_big_vs_small')}x, target <= ${f('live_heap_target_ratio')}x, held: ${f('live_heap_target_held')}); ` +
      `above the heap before the ingest: ${f('live_heap_growth_mb')} MB vs ${f('small_live_heap_growth_mb')} MB`,
    `peak with garbage: RSS ${f('ingest_peak_rss_mb')} MB vs ${f('small_peak_rss_mb')} MB (${f('peak_rss_ratio_big_vs_small')}x), ` +
      `heap ${f('ingest_peak_heap_used_mb')} MB vs ${f('small_peak_heap_used_mb')} MB (${f('peak_heap_ratio_big_vs_small')}x) for ${f('input_ratio_big_vs_small')}x the input`,
  ],
  peers: (f) => [
    `single-turn x${f('single_turn.samples')}: turnbench ${f('single_turn.turnbench.cpu_ms_median')} ms CPU, ${f('single_turn.turnbench.wall_ms_median')} ms wall; ` +
      `promptfoo ${f('single_turn.promptfoo.cpu_ms_median')} ms CPU, ${f('single_turn.promptfoo.wall_ms_median')} ms wall ` +
      `(${f('ratios.single_cpu_turnbench_vs_promptfoo')}x CPU, ${f('ratios.single_wall_turnbench_vs_promptfoo')}x wall)${f('problems.promptfoo') === '?' ? '' : `; promptfoo: ${f('problems.promptfoo')}`}`,
    `${f('conversation.conversations')} x ${f('conversation.turns')}-turn conversations: turnbench ${f('conversation.turnbench.cpu_ms_per_turn')} ms CPU per turn, ` +
      `Codex CLI ${f('conversation.codex.cpu_ms_per_turn')} ms (${f('ratios.conversation_cpu_per_turn_turnbench_vs_codex')}x)${f('problems.codex') === '?' ? '' : `; Codex: ${f('problems.codex')}`}`,
  ],
  adaptive: (f) => [
    `rate-limited endpoint (${f('sim_requests_per_s')} req/s): adaptive ${f('adaptive_wall_ms_median')} ms vs fixed at ${f('ceiling')} ${f('fixed_wall_ms_median')} ms ` +
      `(ratio ${f('adaptive_vs_fixed_wall_ratio')}, median of ${f('rounds')}); 429s ${f('adaptive_rate_limited_attempts_median')} vs ${f('fixed_rate_limited_attempts_median')}; ` +
      `samples lost ${f('samples_lost.adaptive')} vs ${f('samples_lost.fixed')}`,
  ],
  proxy: (f) => [
    `proxy added time per request: ${f('added_total.median_ms')} ms median, ${f('added_total.p99_ms')} ms p99 ` +
      `(target <= ${f('target_added_median_ms')} ms median, met: ${f('target_met')}); on time to first token ` +
      `${f('added_ttft.median_ms')} ms median, ${f('added_ttft.p99_ms')} ms p99; bodies under 100 KB ${f('added_total_bodies_under_100kb.median_ms')} ms median, ` +
      `over ${f('added_total_bodies_over_100kb.median_ms')} ms; sim directly ${f('direct.total.median_ms')} ms, ` +
      `proxy CPU ${f('proxy_cpu_ms_per_request')} ms per request, recording thread included (load average ${f('load_average_1m_at_end')})`,
    `in the same turns a byte relay (no HTTP parsed) adds ${f('byte_relay_added_total.median_ms')} ms median; a pass-through Node HTTP proxy (pipes only) ${f('pass_through_added_total.median_ms')} ms; ` +
      `the recording proxy ${f('added_total_over_pass_through_ms')} ms more than that (after ${f('warm_up_turns')} warm-up turns)`,
  ],
  report: (f) => [
    `report over ${f('samples')} samples / ${f('turns')} turns: ${f('report_ms')} ms (${f('report_vs_baseline')}x a readline line count), ` +
      `peak RSS ${f('report_peak_rss_mb')} MB; summary ${f('summary_ms')} ms`,
  ],
};

export function summaryLines(name: BenchName, figures: BenchFigures): string[] {
  return HEADLINES[name]((path) => show(at(figures, path)));
}
