import { describe, expect, it } from 'vitest';
import { ChildMessageSchema } from '../../../bench/protocol.js';
import { summaryLines } from '../../../bench/summary.js';

describe('bench summary', () => {
  it('reads nested runner figures by path', () => {
    const lines = summaryLines('runner', {
      samples_per_min: { c1: 100, c4: 350, c16: 600, scaling_c16_vs_c1: 6 },
      docker_c4: { samples: 24, samples_per_min: 40, ratio_docker_vs_local: 0.11 },
      cpu_per_turn: {
        in_process: { cpu_us_per_turn: 900 },
        sim_in_child: { harness_cpu_us_per_turn: 700, sim_child_cpu_us_per_turn: 250 },
      },
      memory: {
        small: { samples: 1000, peak_rss_mb: 200, peak_heap_used_mb: 80 },
        large: { samples: 10000, peak_rss_mb: 230, peak_heap_used_mb: 95 },
        peak_rss_ratio_large_vs_small: 1.15,
        samples_ratio: 10,
      },
    });
    expect(lines[0]).toBe(
      'samples/min (local sandbox, zero-latency sim): c1 100, c4 350, c16 600 (c16/c1 6x)',
    );
    expect(lines[1]).toBe('docker c4: 40 samples/min over 24 samples (0.11x local)');
    expect(lines[2]).toContain('900 us with the sim in-process');
    expect(lines[2]).toContain('700 us harness-only + 250 us in the sim child');
    expect(lines[3]).toContain('10000 samples peak RSS 230 MB');
    expect(lines[3]).toContain('RSS ratio 1.15x for 10x the samples');
  });

  it('says why docker was skipped, and marks missing figures with ?', () => {
    const lines = summaryLines('runner', { docker_c4: { skipped: 'no Docker engine answers' } });
    expect(lines[1]).toBe('docker c4: skipped (no Docker engine answers)');
    expect(lines[0]).toContain('c1 ?, c4 ?, c16 ?');
  });

  it('states ingest throughput against the line count, and memory against a 10x smaller log', () => {
    const lines = summaryLines('ingest', {
      input_mb: 100,
      turns_ingested: 11000,
      ingest_mb_per_s: 12.5,
      ingest_vs_baseline_time: 30,
      baseline_mb_per_s: 400,
      ingest_peak_rss_mb: 280,
      small_peak_rss_mb: 200,
      peak_rss_ratio_big_vs_small: 1.4,
      small_input_mb: 10,
      input_ratio_big_vs_small: 10,
      live_heap_peak_mb: 49,
      small_live_heap_peak_mb: 48.5,
      live_heap_ratio_big_vs_small: 1.01,
      live_heap_target_ratio: 1.25,
      live_heap_target_held: true,
      live_heap_growth_mb: 0.8,
      small_live_heap_growth_mb: 0.5,
    });
    expect(lines[0]).toBe(
      'ingest of a 100 MB Codex log (11000 requests): 12.5 MB/s, 30x the time of a readline line count (400 MB/s)',
    );
    expect(lines[1]).toBe(
      'live heap (full GC every 250 ms): 49 MB at 100 MB vs 48.5 MB at 10 MB (ratio 1.01x, target <= 1.25x, held: true); ' +
        'above the heap before the ingest: 0.8 MB vs 0.5 MB',
    );
    expect(lines[2]).toContain('peak with garbage: RSS 280 MB vs 200 MB (1.4x)');
    expect(lines[2]).toContain('for 10x the input');
  });
});

describe('bench summary of transports', () => {
  it('puts WebSocket and HTTP side by side with their ratios', () => {
    const lines = summaryLines('transport', {
      turns: 50,
      http: { bytes_sent_total: 1000, request_ms_median: 10 },
      websocket: { bytes_sent_total: 1001, request_ms_median: 5 },
      ratio_websocket_vs_http: { bytes_sent_total: 1.001, request_ms_median: 0.5 },
      websocket_incremental: {
        bytes_sent_total: 60,
        request_ms_median: 3,
        ratio_vs_http: { bytes_sent_total: 0.06, request_ms_median: 0.3 },
      },
    });
    expect(lines[0]).toBe(
      '50-turn conversation, WebSocket vs HTTP: bytes sent 1001 vs 1000 (1.001x), median request 5 ms vs 10 ms (0.5x)',
    );
    expect(lines[1]).toContain('bytes 60 (0.06x HTTP), median request 3 ms (0.3x)');
  });
});

describe('bench child protocol', () => {
  it('accepts figures and errors, rejects anything else', () => {
    expect(ChildMessageSchema.safeParse({ ok: true, figures: { a: 1 } }).success).toBe(true);
    expect(
      ChildMessageSchema.safeParse({ ok: false, error: { name: 'Error', message: 'boom' } }).success,
    ).toBe(true);
    expect(ChildMessageSchema.safeParse({ ok: true }).success).toBe(false);
    expect(ChildMessageSchema.safeParse({ ok: false, error: 'boom' }).success).toBe(false);
  });
});
