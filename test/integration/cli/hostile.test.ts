import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type EventRecord,
  EventRecordSchema,
  RunManifestSchema,
  type SampleRecord,
  SampleRecordSchema,
} from '../../../src/telemetry/index.js';
import { assertBuilt, readJsonl, runCli, turnbenchContainers, uniqueRunId } from './helpers.js';

const RUN = uniqueRunId('hostile');

type ToolCall = Extract<EventRecord, { type: 'tool_call' }>;

/** tasks/hostile: real hostile commands in real Docker sandboxes, through the CLI. */
describe('hostile commands are contained, recorded, and the run carries on', () => {
  const resultsDir = mkdtempSync(join(tmpdir(), 'tb-hostile-'));
  let samples: SampleRecord[];
  let calls: ToolCall[];
  const firstCall = (task: string) => calls.find((c) => c.sample_id.startsWith(`${task}__`) && c.turn === 1)!;

  beforeAll(async () => {
    assertBuilt();
    const result = await runCli([
      'run',
      'tasks/hostile/suite.yaml',
      '--run-id',
      RUN,
      '--results-dir',
      resultsDir,
    ]);
    if (result.code !== 0)
      throw new Error(`hostile run failed (${result.code}):\n${result.stderr.slice(-3000)}`);
    const runDir = join(resultsDir, RUN);
    expect(RunManifestSchema.parse(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'))).status).toBe(
      'completed',
    );
    samples = readJsonl(join(runDir, 'samples.jsonl')).map((l) => SampleRecordSchema.parse(l));
    calls = readJsonl(join(runDir, 'events.jsonl'))
      .map((l) => EventRecordSchema.parse(l))
      .filter((e): e is ToolCall => e.type === 'tool_call');
  }, 280_000);

  it('finishes every sample, each sandbox still answering its scorer afterwards', () => {
    expect(samples.map((s) => s.task_id).sort()).toEqual(
      [
        'disk-filler',
        'endless-output',
        'fork-bomb',
        'memory-hog',
        'network-escape',
        'never-ends',
        'scorer-tamper',
        'write-outside',
      ].sort(),
    );
    for (const s of samples) {
      expect(s.status, s.sample_id).toBe('completed');
      // scorer-tamper did not solve its task: its scorer must say so (see below)
      if (s.task_id !== 'scorer-tamper') expect(s.passed, `${s.sample_id}: ${s.score_detail}`).toBe(true);
      // the agent's follow-up command ran: the sandbox survived the attack
      expect(calls.some((c) => c.sample_id === s.sample_id && c.turn === 2)).toBe(true);
    }
  });

  it('kills the memory hog (OOM, exit 137)', () => {
    expect(firstCall('memory-hog')).toMatchObject({ ok: false, error: 'nonzero_exit', exit_code: 137 });
  });

  it('times out a command that never ends, and one that prints forever, capping its output', () => {
    expect(firstCall('never-ends')).toMatchObject({ ok: false, error: 'timeout' });
    const endless = firstCall('endless-output');
    expect(endless).toMatchObject({ ok: false, error: 'timeout', truncated: true });
    expect(endless.output_bytes).toBeLessThan(16_384);
  });

  it('contains the fork bomb within the pids limit and the command time', () => {
    const bomb = firstCall('fork-bomb');
    expect(bomb.duration_ms).toBeLessThan(15_000);
  });

  it('refuses writes outside the workspace', () => {
    const writes = calls.filter((c) => c.sample_id.startsWith('write-outside__') && c.tool === 'write_file');
    expect(writes).toHaveLength(2);
    for (const w of writes) expect(w.ok).toBe(false);
  });

  it('stops every write at the disk cap (or refuses it) and the sandbox goes on', () => {
    const own = calls.filter((c) => c.sample_id.startsWith('disk-filler__')).sort((a, b) => a.turn - b.turn);
    // turns 1-3: the workspace and HOME writes stopped within 64 MB, the root filesystem refused (exit 42)
    expect(own.slice(0, 3).map((c) => c.exit_code)).toEqual([42, 42, 42]);
    expect(own[3]).toMatchObject({ ok: true, exit_code: 0 });
  });

  it('does not let an agent make its own scorer pass', () => {
    const own = calls
      .filter((c) => c.sample_id.startsWith('scorer-tamper__'))
      .sort((a, b) => a.turn - b.turn);
    // Every attack was in place and worked on the agent's side at its last turn: a login shell exits
    // at once, python3 ends in the planted usercustomize, the tamperer runs, the forged .pyc is there.
    expect(own.at(-1)).toMatchObject({ ok: true, exit_code: 0 });
    const tamper = samples.find((s) => s.task_id === 'scorer-tamper')!;
    expect(tamper).toMatchObject({ status: 'completed', passed: false, score: 0 });
    // the grader's real test ran, against the agent's unfixed calc.py
    expect(tamper.score_detail).toContain('AssertionError: 0 != 5');
  });

  it('leaves no container behind and the engine answering', async () => {
    expect(await turnbenchContainers(RUN)).toEqual([]);
    expect(
      execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8' }).trim(),
    ).not.toBe('');
  });
});
