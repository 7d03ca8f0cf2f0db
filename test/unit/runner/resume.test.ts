import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dropUnfinishedRecords, finishedSampleIds } from '../../../src/runner/index.js';

function runDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tb-resume-'));
  const line = (o: object) => `${JSON.stringify(o)}\n`;
  writeFileSync(
    join(dir, 'samples.jsonl'),
    line({ sample_id: 'a', status: 'completed' }) +
      line({ sample_id: 'b', status: 'cancelled' }) +
      line({ sample_id: 'c', status: 'error' }),
  );
  writeFileSync(
    join(dir, 'turns.jsonl'),
    line({ sample_id: 'a', turn: 1 }) +
      line({ sample_id: 'b', turn: 1 }) +
      line({ sample_id: 'd', turn: 1 }) +
      line({ sample_id: 'c', turn: 1 }),
  );
  writeFileSync(
    join(dir, 'events.jsonl'),
    line({ sample_id: 'd', type: 'tool_call' }) + line({ sample_id: 'a', type: 'tool_call' }),
  );
  return dir;
}

const ids = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { sample_id: string }).sample_id);

describe('resume bookkeeping', () => {
  it('counts finished samples, treating cancelled and errored ones as unfinished', async () => {
    expect([...(await finishedSampleIds(runDir()))].sort()).toEqual(['a']);
  });

  it('repairs a torn last line left by a kill in the middle of a write', async () => {
    const dir = runDir();
    appendFileSync(join(dir, 'samples.jsonl'), '{"sample_id":"e","sta');
    const done = await finishedSampleIds(dir);
    expect(done.has('e')).toBe(false);
    expect(readFileSync(join(dir, 'samples.jsonl'), 'utf8').endsWith('}\n')).toBe(true);
  });

  it('drops every record of unfinished samples so their rerun leaves one set', async () => {
    const dir = runDir();
    appendFileSync(join(dir, 'turns.jsonl'), '{"sample_id":"a","tu');
    const dropped = await dropUnfinishedRecords(dir, await finishedSampleIds(dir));
    expect(dropped).toBe(6); // b's and c's samples and turns + d's turn + d's event
    expect(ids(join(dir, 'samples.jsonl'))).toEqual(['a']);
    expect(ids(join(dir, 'turns.jsonl'))).toEqual(['a']);
    expect(ids(join(dir, 'events.jsonl'))).toEqual(['a']);
  });
});
