import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseTimeRange } from '../../../src/ingest/index.js';
import { build, fixture } from './helpers.js';

const SESSION = '01a236ad-20cf-7bf1-b118-1886c301f3a9';
/** Codex 0.171: three tasks in one session; task 2 (one request) ends at 12:14:13.091, task 3 starts at 12:14:14.579. */
const THREE_TASKS = fixture('v0.171-three-tasks', `rollout-2026-12-02T12-14-05-${SESSION}.jsonl`);

/** The three-task log with lines added at the end (a copy in a temp folder, same file name). */
function withLines(lines: object[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tb-codex-')), `rollout-2026-12-02T12-14-05-${SESSION}.jsonl`);
  const text = readFileSync(THREE_TASKS, 'utf8') + lines.map((l) => `${JSON.stringify(l)}\n`).join('');
  writeFileSync(file, text);
  return file;
}

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
    const file = withLines([
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
