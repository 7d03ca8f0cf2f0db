import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EventRecordSchema,
  RunManifestSchema,
  SampleRecordSchema,
  TurnRecordSchema,
} from '../../../src/telemetry/index.js';
import {
  assertBuilt,
  CLI,
  REPO,
  readJsonl,
  runCli,
  turnbenchContainers,
  uniqueRunId,
} from '../cli/helpers.js';
import { processesIn, waitFor, watchRunContainers } from './helpers.js';

/**
 * The pinned Codex build's path inside sandboxes: its processes show up in the host's process
 * list. Only those in this run's containers count: the engine and the host are shared with other
 * runs (and other test files) that run Codex at the same time.
 */
const CODEX_IN_SANDBOX = '/opt/turnbench/codex/bin/codex';

describe('Codex runs stopped by limits, the wall time and Ctrl-C', () => {
  it('stops Codex at the turn limit and at the wall time: agent killed, scored, container removed', async () => {
    assertBuilt();
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-codex-limits-'));
    const runId = uniqueRunId('limits');
    const watch = watchRunContainers(runId);
    const result = await runCli([
      'run',
      'test/fixtures/agents/codex-limits/suite.yaml',
      '--run-id',
      runId,
      '--results-dir',
      resultsDir,
    ]);
    const containers = await watch.stop();
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    // a sandbox per sample was seen, so the process check below looks in the right places
    expect(containers.size).toBeGreaterThanOrEqual(2);
    const runDir = join(resultsDir, runId);
    const samples = readJsonl(join(runDir, 'samples.jsonl')).map((l) => SampleRecordSchema.parse(l));
    const turns = readJsonl(join(runDir, 'turns.jsonl')).map((l) => TurnRecordSchema.parse(l));
    const events = readJsonl(join(runDir, 'events.jsonl')).map((l) => EventRecordSchema.parse(l));

    const long = samples.find((s) => s.task_id === 'long')!;
    // the fourth request was refused at the proxy; Codex was stopped; the scorer still ran
    expect(long).toMatchObject({ status: 'limit', stop_reason: 'max_turns', turns: 3, passed: true });
    expect(turns.filter((t) => t.sample_id === long.sample_id)).toHaveLength(3);
    expect(events.find((e) => e.type === 'agent' && e.sample_id === long.sample_id)).toMatchObject({
      stopped: 'max_turns',
      exit_code: null,
    });
    // what Codex logged before it was stopped still equals what the proxy recorded
    expect(long.agent?.usage_check.status).toBe('match');

    const sleepy = samples.find((s) => s.task_id === 'sleepy')!;
    expect(sleepy).toMatchObject({ status: 'timeout', stop_reason: 'wall_timeout' });
    expect(sleepy.wall_ms).toBeLessThan(30_000);
    expect(events.find((e) => e.type === 'agent' && e.sample_id === sleepy.sample_id)).toMatchObject({
      stopped: 'wall_timeout',
    });

    expect(await turnbenchContainers(runId)).toEqual([]);
    expect(await processesIn(containers, CODEX_IN_SANDBOX)).toEqual([]);
  }, 240_000);

  it('on Ctrl-C leaves no container and no Codex process, and --resume finishes the run', async () => {
    assertBuilt();
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-codex-int-'));
    const runId = uniqueRunId('int');
    const runDir = join(resultsDir, runId);
    const watch = watchRunContainers(runId);
    const child = spawn(
      process.execPath,
      [
        CLI,
        'run',
        'test/fixtures/agents/codex-interrupt/suite.yaml',
        '--run-id',
        runId,
        '--results-dir',
        resultsDir,
        '--grace',
        '30',
      ],
      { cwd: REPO, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

    // Both agents are in their slow command: Codex processes run in the sandboxes.
    const own = async () => processesIn(new Set(await turnbenchContainers(runId)), CODEX_IN_SANDBOX);
    await waitFor(
      async () => ((await own()).length >= 2 && existsSync(join(runDir, 'turns.jsonl')) ? true : null),
      120_000,
      'two Codex processes at work',
    );
    await waitFor(
      () => (readJsonl(join(runDir, 'turns.jsonl')).length >= 2 ? true : null),
      60_000,
      'a first turn of each sample',
    );
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    const code = await exited;
    expect(code, stderr.slice(-2000)).toBe(130);
    expect(stderr).toContain('aborting samples in flight');
    const containers = await watch.stop();
    expect(containers.size).toBeGreaterThanOrEqual(2);
    expect(await turnbenchContainers(runId)).toEqual([]);
    expect(await processesIn(containers, CODEX_IN_SANDBOX)).toEqual([]);
    const interrupted = RunManifestSchema.parse(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')));
    expect(interrupted.status).toBe('interrupted');
    const cancelled = readJsonl(join(runDir, 'samples.jsonl')).map((l) => SampleRecordSchema.parse(l));
    expect(cancelled.map((s) => s.status)).toEqual(['cancelled', 'cancelled']);

    const resumed = await runCli(['run', '--resume', runId, '--results-dir', resultsDir]);
    expect(resumed.code, resumed.stderr.slice(-3000)).toBe(0);
    const samples = readJsonl(join(runDir, 'samples.jsonl')).map((l) => SampleRecordSchema.parse(l));
    const turns = readJsonl(join(runDir, 'turns.jsonl')).map((l) => TurnRecordSchema.parse(l));
    expect(samples.map((s) => s.sample_id).sort()).toEqual(['slow-a__codex__e1', 'slow-b__codex__e1']);
    for (const s of samples) {
      expect(s).toMatchObject({ status: 'completed', passed: true });
      expect(s.agent?.usage_check.status).toBe('match');
      // the cancelled attempt's turns were dropped: one set of records per sample
      expect(turns.filter((t) => t.sample_id === s.sample_id).map((t) => t.turn)).toEqual([1, 2]);
      expect(
        readdirSync(join(runDir, 'samples', s.sample_id, 'codex', 'sessions'), { recursive: true }).filter(
          (f) => String(f).endsWith('.jsonl'),
        ),
      ).toHaveLength(1);
    }
    expect(RunManifestSchema.parse(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'))).status).toBe(
      'completed',
    );
    expect(await turnbenchContainers(runId)).toEqual([]);
  }, 280_000);
});
