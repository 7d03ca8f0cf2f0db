import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SampleGradeSchema, TurnRecordSchema } from '../../../src/telemetry/index.js';

/** The first turn line of a committed run, written before cache_write_12h_tokens existed. */
const oldTurnLine = (): Record<string, unknown> => {
  const file = join(import.meta.dirname, '../../fixtures/runs/fixture-base/turns.jsonl');
  return JSON.parse(readFileSync(file, 'utf8').split('\n')[0] ?? '') as Record<string, unknown>;
};

describe('the turn record field cache_write_12h_tokens', () => {
  it('an older record without it reads, the 12-hour part unknown (null), never 0', () => {
    const line = oldTurnLine();
    expect(line).not.toHaveProperty('cache_write_12h_tokens');
    const turn = TurnRecordSchema.parse(line);
    expect(turn.cache_write_12h_tokens).toBeNull();
    expect(turn.cache_write_tokens).toBe(line.cache_write_tokens);
  });

  it('keeps a count, a 0 and a null as written, and refuses what is not a count', () => {
    const line = oldTurnLine();
    for (const value of [1500, 0, null]) {
      expect(TurnRecordSchema.parse({ ...line, cache_write_12h_tokens: value }).cache_write_12h_tokens).toBe(
        value,
      );
    }
    for (const bad of [-1, 2.5, '10']) {
      const r = TurnRecordSchema.safeParse({ ...line, cache_write_12h_tokens: bad });
      expect(r.success, String(bad)).toBe(false);
      expect(r.error?.issues[0]?.path).toEqual(['cache_write_12h_tokens']);
    }
  });

  it("a model grader's usage reads without it too", () => {
    const grade = {
      scorer: 0,
      model: 'gpt-6.2-sol',
      provider: 'openai',
      started_at: '2026-12-01T00:00:00.000Z',
      latency_ms: 10,
      response_id: 'r',
      score: 1,
      passed: true,
      explanation: null,
      error: null,
      input_tokens: 100,
      cached_tokens: 0,
      cache_write_tokens: 100,
      output_tokens: 5,
      reasoning_tokens: 0,
      cost_usd: 0.001,
    };
    expect(SampleGradeSchema.parse(grade).cache_write_12h_tokens).toBeNull();
    expect(SampleGradeSchema.parse({ ...grade, cache_write_12h_tokens: 60 }).cache_write_12h_tokens).toBe(60);
  });
});
