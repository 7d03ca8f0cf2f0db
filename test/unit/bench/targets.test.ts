import { describe, expect, it } from 'vitest';
import { summaryLines } from '../../../bench/summary.js';
import { ceiling, TargetSchema, target } from '../../../bench/targets.js';

describe('bench targets', () => {
  it('holds when the ratio to the baseline is within the limit, and not beyond it', () => {
    const held = target({ what: 'w', figure: 1.25, baseline: 1, unit: 'ms', limit: 1.3, how: 'h' });
    expect(held).toMatchObject({ ratio: 1.25, holds: true });
    const missed = target({ what: 'w', figure: 1.44, baseline: 1, unit: 'ms', limit: 1.3, how: 'h' });
    expect(missed).toMatchObject({ ratio: 1.44, holds: false });
    expect(TargetSchema.parse(missed)).toEqual(missed);
  });

  it('takes a ratio measured per round instead of figure / baseline when given', () => {
    const t = target({ what: 'w', figure: 300, baseline: 100, ratio: 1.2, unit: 'ms', limit: 1.3, how: 'h' });
    expect(t).toMatchObject({ ratio: 1.2, holds: true });
  });

  it('states an absolute ceiling as a ratio to the ceiling itself', () => {
    expect(ceiling('sim CPU', 3, 2, 'ms', 'h')).toMatchObject({
      baseline: 2,
      ratio: 1.5,
      limit: 1,
      holds: false,
    });
    expect(ceiling('sim CPU', 1.5, 2, 'ms', 'h').holds).toBe(true);
  });

  it('summarises the floor and the sim request figures by path', () => {
    const floor = summaryLines('floor', {
      single_turn: {
        samples: 500,
        turnbench: { cpu_ms_median: 2000 },
        floor: { cpu_ms_median: 1600 },
        cpu_ratio_median: 1.25,
        harness_cpu_us_per_turn_over_floor: 800,
      },
    });
    expect(floor[0]).toBe(
      'single-turn (500 samples): turnbench 2000 ms CPU vs floor 1600 ms (1.25x, +800 us/turn)',
    );
    expect(floor[1]).toContain('20-turn (? conversations)');
    const conversations = summaryLines('floor', {
      conversation_20: {
        floor_with_tools: { tool_calls: 950, cpu_ms_median: 5000 },
        cpu_ratio_vs_floor_with_tools_median: 1.2,
        harness_cpu_us_per_turn_over_floor_with_tools: 1000,
        floor_with_tools_vs_floor_median: 2.1,
      },
    });
    expect(conversations[2]).toBe(
      '20-turn vs a floor that also runs the 950 shell calls as processes: 5000 ms (1.2x, 1000 us/turn more for turnbench); ' +
        'that floor is itself 2.1x the floor without tools: starting the processes alone',
    );
    const sim = summaryLines('sim', {
      codex_sized_request: {
        in_conversation: { sim_cpu_ms_per_request: 3 },
        cold: { sim_cpu_ms_per_request: 9 },
        limit_ms: 2,
      },
    });
    expect(sim[2]).toBe(
      'sim CPU per ~40 KB request over HTTP: 3 ms in a conversation, 9 ms cold (ceiling 2 ms)',
    );
  });
});
