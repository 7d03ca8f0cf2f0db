import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseTimeRange } from '../../../src/ingest/index.js';
import { build, fixture } from './helpers.js';

const SESSION = '01a236ad-20cf-7bf1-b118-1886c301f3a9';
/** Codex 0.171: three tasks in one session; task 2 (one request) ends at 12:14:13.091, task 3 starts at 12:14:14.579. */
const THREE_TASKS = fixture('v0.171-three-tasks', `rollout-2026-12-02T12-14-05-${SESSION}.jsonl`);

/** A copy of a log (same file name, in a temp folder) with lines inserted after line `after` (default: at the end). */
function withLines(log: string, lines: object[], after?: number): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tb-codex-')), basename(log));
  const kept = readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  kept.splice(after ?? kept.length, 0, ...lines.map((l) => JSON.stringify(l)));
  writeFileSync(file, `${kept.join('\n')}\n`);
  return file;
}

/** An `error` event as Codex persists it (Extended mode): a stream cut before the response completed. */
const streamError = (timestamp: string) => ({
  timestamp,
  type: 'event_msg',
  payload: { type: 'error', message: 'stream disconnected before completion' },
});

describe('a task end goes to its own task, within the time range', () => {
  test('--group-by task --until between task 2 and 3: task 2 keeps its own answer, end and wall time', async () => {
    const range = parseTimeRange(undefined, '2026-12-02T12:14:14Z');
    const { samples } = await build([{ file: THREE_TASKS }], { groupBy: 'task', range });
    expect(samples.map((s) => s.sample_id)).toEqual([`${SESSION}/task-1`, `${SESSION}/task-2`]);
    expect(samples[1]).toMatchObject({
      turns: 1,
      stop_reason: 'final',
      final_answer: 'Hello.',
      started_at: '2026-12-02T12:14:12.986Z',
      ended_at: '2026-12-02T12:14:13.091Z',
      wall_ms: 105,
    });
  });

  test('--group-by session --until inside task 1: the end stays in the range', async () => {
    const range = parseTimeRange(undefined, '2026-12-02T12:14:10Z');
    const { samples } = await build([{ file: THREE_TASKS }], { range });
    expect(samples).toHaveLength(1);
    expect(samples[0]).toMatchObject({ turns: 1, stop_reason: 'log_ended', final_answer: null });
    expect(Date.parse(samples[0]!.ended_at)).toBeLessThan(range.to!);
  });

  test('a later task with no request does not take over the stop reason and end of the one before', async () => {
    const at = (s: string) => `2026-12-02T12:14:${s}Z`;
    const file = withLines(THREE_TASKS, [
      { timestamp: at('30.000'), type: 'event_msg', payload: { type: 'task_started' } },
      { timestamp: at('31.000'), type: 'event_msg', payload: { type: 'turn_aborted' } },
    ]);
    const { samples } = await build([{ file }]);
    expect(samples[0]).toMatchObject({
      stop_reason: 'final',
      ended_at: '2026-12-02T12:14:20.760Z',
    });
    expect(samples[0]!.final_answer).toMatch(/^Counted the file/);
  });
});

describe('Codex error events', () => {
  // in task 2, before its request (line 30 is its turn_context)
  const withError = () => withLines(THREE_TASKS, [streamError('2026-12-02T12:14:12.950Z')], 30);

  test.each([
    ['task', `${SESSION}/task-2`],
    ['session', SESSION],
  ] as const)('--group-by %s: an error belongs to the sample of its task', async (groupBy, sampleId) => {
    const { events, samples } = await build([{ file: withError() }], { groupBy });
    const errors = events.filter((e) => e.type === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ sample_id: sampleId, at: '2026-12-02T12:14:12.950Z' });
    expect(samples.map((s) => s.sample_id)).toContain(sampleId);
  });

  test('an error of a task with no sample points at no sample: it is a warning', async () => {
    const range = parseTimeRange(undefined, '2026-12-02T12:14:12.960Z'); // task 2's request is outside
    const { events, samples, warnings } = await build([{ file: withError() }], { groupBy: 'task', range });
    const ids = new Set(samples.map((s) => s.sample_id));
    expect(events.every((e) => ids.has(e.sample_id))).toBe(true);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    expect(warnings).toEqual([
      expect.stringMatching(/:31: Codex error in no ingested sample: stream disconnected before completion$/),
    ]);
  });

  test('--group-by session: an error of a session with no request is a warning, not an event', async () => {
    const failed = fixture(
      'v0.171-failed-requests',
      'rollout-2026-12-02T12-16-16-01a236af-2111-7293-bbd2-396495391ac6.jsonl',
    );
    const file = withLines(failed, [streamError('2026-12-02T12:16:17.500Z')], 9);
    const { events, samples, warnings } = await build([{ file }]);
    expect([events, samples]).toEqual([[], []]);
    expect(warnings).toEqual([
      expect.stringMatching(/: no completed model request in this log/),
      expect.stringMatching(/:10: Codex error in no ingested sample: stream disconnected before completion$/),
    ]);
  });
});
