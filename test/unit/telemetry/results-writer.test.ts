import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type EventRecord,
  JsonlAppender,
  ResultsWriter,
  type SampleRecord,
  type TurnRecord,
} from '../../../src/telemetry/index.js';
import { FLUSH_INTERVAL_MS } from '../../../src/telemetry/results-writer.js';

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');

// Only the fields the writer itself looks at (none): the records are written as given.
const turn = (sample: string, n: number) => ({ sample_id: sample, turn: n }) as unknown as TurnRecord;
const event = (sample: string) => ({ sample_id: sample, type: 'tool_call' }) as unknown as EventRecord;
const sample = (id: string) => ({ sample_id: id }) as unknown as SampleRecord;

afterEach(() => {
  vi.useRealTimers();
});

describe('ResultsWriter batching', () => {
  it("writes a sample's turns and events no later than its sample line, and buffers them until then", () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-writer-'));
    const writer = new ResultsWriter(dir);
    writer.turn(turn('a', 1));
    writer.event(event('a'));
    writer.turn(turn('b', 1)); // another sample, still running
    expect(lines(join(dir, 'turns.jsonl'))).toEqual([]);
    expect(lines(join(dir, 'events.jsonl'))).toEqual([]);
    writer.sample(sample('a'));
    expect(lines(join(dir, 'samples.jsonl')).map((l) => JSON.parse(l).sample_id)).toEqual(['a']);
    expect(lines(join(dir, 'turns.jsonl')).map((l) => JSON.parse(l).sample_id)).toEqual(['a', 'b']);
    expect(lines(join(dir, 'events.jsonl'))).toHaveLength(1);
    writer.turn(turn('b', 2));
    writer.close();
    expect(lines(join(dir, 'turns.jsonl'))).toHaveLength(3);
  });

  it('flushes the records of long samples on a timer', () => {
    vi.useFakeTimers();
    const dir = mkdtempSync(join(tmpdir(), 'tb-writer-'));
    const writer = new ResultsWriter(dir);
    writer.turn(turn('slow', 1));
    expect(lines(join(dir, 'turns.jsonl'))).toEqual([]);
    vi.advanceTimersByTime(FLUSH_INTERVAL_MS);
    expect(lines(join(dir, 'turns.jsonl'))).toHaveLength(1);
    writer.close();
  });

  it('writes a large buffer at once, whole lines only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-writer-'));
    const file = new JsonlAppender(join(dir, 'big.jsonl'));
    const text = 'x'.repeat(10_000);
    for (let i = 0; i < 40; i++) file.append({ i, text });
    const written = lines(join(dir, 'big.jsonl'));
    expect(written.length).toBeGreaterThan(0);
    expect(written.length).toBeLessThan(40);
    for (const line of written) expect(JSON.parse(line).text).toBe(text);
    file.close();
    expect(lines(join(dir, 'big.jsonl'))).toHaveLength(40);
  });
});
