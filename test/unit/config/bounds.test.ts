import { describe, expect, it } from 'vitest';
import {
  MAX_TIMER_MS,
  SimScriptSchema,
  SuiteSchema,
  TaskSchema,
  timerDelay,
} from '../../../src/config/index.js';

describe('bounds on sizes and timeouts', () => {
  it('timerDelay keeps every delay inside what a Node timer honours', () => {
    expect(timerDelay(1500)).toBe(1500);
    expect(timerDelay(-5)).toBe(0);
    expect(timerDelay(MAX_TIMER_MS + 1)).toBe(MAX_TIMER_MS);
    expect(timerDelay(Number.POSITIVE_INFINITY)).toBe(MAX_TIMER_MS);
    expect(timerDelay(Number.NaN)).toBe(MAX_TIMER_MS);
  });

  it('the largest accepted timeouts stay under the timer limit, setup commands (x4) included', () => {
    const task = TaskSchema.parse({
      id: 't',
      instructions: 'x',
      limits: { wall_timeout_s: 604_800, command_timeout_s: 86_400 },
      scorer: { type: 'command', command: 'true', timeout_s: 86_400 },
    });
    expect(task.limits.wall_timeout_s! * 1000).toBeLessThan(MAX_TIMER_MS);
    expect(task.limits.command_timeout_s! * 1000 * 4 + 5000).toBeLessThan(MAX_TIMER_MS);
    expect(() =>
      TaskSchema.parse({
        id: 't',
        instructions: 'x',
        limits: { wall_timeout_s: 604_801 },
        scorer: { type: 'match', expected: 'x' },
      }),
    ).toThrow(/at most 604800/);
  });

  it('counts expanded sim steps across the whole script', () => {
    const steps = Array.from({ length: 10 }, () => ({ shell: 'true', repeat: 10_000 }));
    expect(SimScriptSchema.safeParse({ steps, final: 'x' }).success).toBe(true);
    const over = SimScriptSchema.safeParse({ steps: [...steps, { shell: 'true' }], final: 'x' });
    expect(over.success).toBe(false);
    expect(over.error?.issues[0]?.message).toBe('100001 steps once repeats are expanded; at most 100000');
  });

  it('sandbox limits: the smallest container Docker runs a shell in, CPUs in Docker range', () => {
    const suite = (sandbox: object) =>
      SuiteSchema.safeParse({
        name: 's',
        tasks: ['t'],
        variants: [{ name: 'v', instructions: 'x' }],
        sandbox,
      });
    expect(suite({ memory_mb: 32, cpus: 0.01, pids: 16 }).success).toBe(true);
    expect(suite({ memory_mb: 31 }).success).toBe(false);
    expect(suite({ cpus: 0.001 }).success).toBe(false);
    expect(suite({ pids: 15 }).success).toBe(false);
  });
});
