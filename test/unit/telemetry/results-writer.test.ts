import { execFileSync } from 'node:child_process';
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
import { FLUSH_INTERVAL_MS, SAMPLE_FLUSH_MS } from '../../../src/telemetry/results-writer.js';

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

  it('writes samples that finish close together in one batch within SAMPLE_FLUSH_MS, and reports each once its line is on disk', () => {
    vi.useFakeTimers();
    const dir = mkdtempSync(join(tmpdir(), 'tb-writer-'));
    const writer = new ResultsWriter(dir);
    const onDisk = () => lines(join(dir, 'samples.jsonl')).map((l) => JSON.parse(l).sample_id);
    const reported: Array<{ id: string; onDisk: string[]; turns: number }> = [];
    const report = (id: string) => () =>
      reported.push({ id, onDisk: onDisk(), turns: lines(join(dir, 'turns.jsonl')).length });
    writer.sample(sample('first'), report('first')); // nothing written for a while: at once
    expect(reported).toEqual([{ id: 'first', onDisk: ['first'], turns: 0 }]);
    writer.turn(turn('b', 1));
    writer.sample(sample('b'), report('b'));
    writer.turn(turn('c', 1));
    writer.sample(sample('c'), report('c'));
    expect(onDisk()).toEqual(['first']); // batched: neither written nor reported yet
    expect(reported).toHaveLength(1);
    vi.advanceTimersByTime(SAMPLE_FLUSH_MS);
    expect(reported).toEqual([
      { id: 'first', onDisk: ['first'], turns: 0 },
      { id: 'b', onDisk: ['first', 'b', 'c'], turns: 2 },
      { id: 'c', onDisk: ['first', 'b', 'c'], turns: 2 },
    ]);
    writer.sample(sample('d'), report('d'));
    writer.close(); // a pending batch is written, and reported, on close
    expect(reported.at(-1)).toEqual({ id: 'd', onDisk: ['first', 'b', 'c', 'd'], turns: 2 });
  });

  it.skipIf(process.getuid?.() !== 0)(
    'does not report samples whose lines a failed write dropped (a full disk; mounts a tmpfs, as root)',
    () => {
      vi.useFakeTimers();
      const mountPoint = mkdtempSync(join(tmpdir(), 'tb-writer-full-'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=128k', 'tmpfs', mountPoint]);
      try {
        const failures: string[] = [];
        const writer = new ResultsWriter(join(mountPoint, 'run'), (error) => failures.push(error.message));
        const reported: string[] = [];
        writer.sample(sample('first'), () => reported.push('first'));
        writer.sample({ sample_id: 'lost', text: 'x'.repeat(200_000) } as unknown as SampleRecord, () =>
          reported.push('lost'),
        );
        vi.advanceTimersByTime(SAMPLE_FLUSH_MS);
        expect(failures).toEqual([expect.stringMatching(/ENOSPC/)]);
        expect(reported).toEqual(['first']);
        writer.close();
      } finally {
        execFileSync('umount', [mountPoint]);
      }
    },
  );

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
