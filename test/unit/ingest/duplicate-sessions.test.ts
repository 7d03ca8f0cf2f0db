import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { SampleRecord } from '../../../src/telemetry/index.js';
import { fixture, ingestAll } from './helpers.js';

const SESSION = '01a236ad-20cf-7bf1-b118-1886c301f3a9';
const NAME = `rollout-2026-12-02T12-14-05-${SESSION}.jsonl`;
const FULL = readFileSync(fixture('v0.171-three-tasks', NAME), 'utf8');

/** Two copies of one session: `a/` a stale one (the first 30 lines, as a backup taken mid-session), `b/` the whole log. */
function twoCopies(stale: string): string {
  const root = mkdtempSync(join(tmpdir(), 'tb-dup-'));
  for (const [dir, text] of [
    ['a', stale],
    ['b', FULL],
  ] as const) {
    mkdirSync(join(root, dir));
    writeFileSync(join(root, dir, NAME), text);
  }
  return root;
}

async function ingest(root: string) {
  const { result, warnings } = await ingestAll([root], join(root, 'results'), 'dup');
  const samples = readFileSync(join(result.runDir, 'samples.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as SampleRecord);
  return { result, samples, warnings };
}

describe('the same session found twice', () => {
  test('the copy that holds more is read, whichever path comes first; the warning names both and says they differ', async () => {
    const stale = `${FULL.split('\n').slice(0, 30).join('\n')}\n`;
    const root = twoCopies(stale);
    const { samples, warnings } = await ingest(root);
    expect(samples).toHaveLength(1);
    expect(samples[0]).toMatchObject({ sample_id: SESSION, turns: 7, stop_reason: 'final' });
    expect(warnings).toEqual([
      `${join(root, 'a', NAME)}: session ${SESSION} is also in ${join(root, 'b', NAME)}, which holds more (61 lines, this copy 30); the copies differ: that one is read, this one skipped`,
    ]);
  });

  test('an identical copy is skipped, and the warning says it is identical', async () => {
    const root = twoCopies(FULL);
    const { samples, warnings } = await ingest(root);
    expect(samples).toHaveLength(1);
    expect(warnings).toEqual([
      `${join(root, 'b', NAME)}: session ${SESSION} is also in ${join(root, 'a', NAME)} (an identical copy); skipped`,
    ]);
  });
});
