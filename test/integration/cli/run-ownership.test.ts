import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RunManifestSchema, SampleRecordSchema } from '../../../src/telemetry/index.js';
import {
  assertBuilt,
  REPO,
  readJsonl,
  runCli,
  spawnCli,
  turnbenchContainers,
  uniqueRunId,
  waitForFinished,
} from './helpers.js';

const SLOW = 'test/fixtures/suites/slow/suite.yaml';

function samplesOf(runDir: string) {
  return readJsonl(join(runDir, 'samples.jsonl')).map((l) => SampleRecordSchema.parse(l));
}

/**
 * A second process on a live run: it is refused, and it touches nothing of the live run (the
 * issue: its cleanup removed the live run's containers, whose samples then failed "no such
 * container"; a resume ran beside the live run and rewrote its files).
 */
describe('one live owner per run', () => {
  it('refuses run --run-id and run --resume of a live run without harming it', async () => {
    assertBuilt();
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-owner-'));
    const id = uniqueRunId('live');
    const live = spawnCli(['run', SLOW, '--run-id', id, '--results-dir', resultsDir]);
    let stderr = '';
    live.stderr?.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => live.on('close', resolve));
    try {
      await waitForFinished(() => stderr, 1, 200_000);
      const inFlight = await turnbenchContainers(id);
      expect(inFlight.length).toBeGreaterThan(0);

      const [again, resume] = await Promise.all([
        runCli(['run', SLOW, '--run-id', id, '--results-dir', resultsDir], { timeoutMs: 60_000 }),
        runCli(['run', '--resume', id, '--results-dir', resultsDir], { timeoutMs: 60_000 }),
      ]);
      // both were refused while the run was live (else this test proves nothing)
      expect(live.exitCode).toBeNull();
      expect(again.code, again.stderr).toBe(2);
      expect(again.stderr.trim().split('\n').at(-1)).toMatch(
        new RegExp(`^error: run .*${id} is in use by \`run --run-id ${id}\` \\(pid ${live.pid},`),
      );
      expect(resume.code, resume.stderr).toBe(2);
      expect(resume.stderr).toContain(`in use by \`run --run-id ${id}\` (pid ${live.pid}`);

      expect(await exited).toBe(0);
    } finally {
      live.kill('SIGKILL');
    }
    const runDir = join(resultsDir, id);
    const manifest = RunManifestSchema.parse(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')));
    expect(manifest.status).toBe('completed');
    expect(manifest.resumed_at).toEqual([]);
    const samples = samplesOf(runDir);
    expect(samples.map((s) => s.sample_id).sort()).toEqual([...manifest.sample_ids].sort());
    for (const s of samples)
      expect(s, `${s.sample_id}: ${s.error?.message} ${s.score_detail}`).toMatchObject({
        status: 'completed',
        passed: true,
        error: null,
      });
    expect(await turnbenchContainers(id)).toEqual([]);
  }, 280_000);

  it('lets exactly one of two simultaneous starts with one run id run', async () => {
    assertBuilt();
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-twin-'));
    for (let attempt = 0; attempt < 4; attempt++) {
      const runId = `twin${attempt}`;
      const args = ['run', 'test/fixtures/suites/resume/suite.yaml', '--sandbox', 'local', '--epochs', '1'];
      const [a, b] = await Promise.all([
        runCli([...args, '--run-id', runId, '--results-dir', resultsDir], { timeoutMs: 120_000 }),
        runCli([...args, '--run-id', runId, '--results-dir', resultsDir], { timeoutMs: 120_000 }),
      ]);
      expect([a.code, b.code].sort(), `${a.stderr}\n${b.stderr}`).toEqual([0, 2]);
      const loser = a.code === 2 ? a : b;
      expect(loser.stderr).toMatch(/in use by `run --run-id twin\d` \(pid \d+|already exists/);
      const ids = samplesOf(join(resultsDir, runId)).map((s) => s.sample_id);
      expect(ids.length).toBe(new Set(ids).size);
      const manifest = RunManifestSchema.parse(
        JSON.parse(readFileSync(join(resultsDir, runId, 'run.json'), 'utf8')),
      );
      expect(ids.sort()).toEqual([...manifest.sample_ids].sort());
    }
  }, 280_000);
});

/** A process that takes a run folder's lock and holds it until killed (resolves once it holds it). */
async function holdRun(runDir: string): Promise<ChildProcess> {
  const lock = pathToFileURL(join(REPO, 'dist/src/runner/run-lock.js')).href;
  const code = `const { acquireRunLock } = await import(${JSON.stringify(lock)});
    acquireRunLock(${JSON.stringify(runDir)}, 'holder'); console.log('held'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d) => String(d).includes('held') && resolve());
    child.on('exit', () => reject(new Error('the holder exited')));
  });
  return child;
}

describe('every command that writes a run folder holds it', () => {
  it('ingest and merge are refused on a folder another process holds', async () => {
    assertBuilt();
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-held-'));
    const holder = await holdRun(join(resultsDir, 'held'));
    try {
      const ingest = await runCli(
        ['ingest', join(REPO, 'test/fixtures/codex/v0.46'), '--run-id', 'held', '--results-dir', resultsDir],
        { timeoutMs: 60_000 },
      );
      expect(ingest.code, ingest.stderr).toBe(2);
      expect(ingest.stderr).toMatch(new RegExp(`in use by \`holder\` \\(pid ${holder.pid},`));
      const shard = await runCli(
        [
          'run',
          'test/fixtures/suites/resume/suite.yaml',
          '--sandbox',
          'local',
          '--epochs',
          '1',
          '--run-id',
          'shard',
          '--results-dir',
          resultsDir,
        ],
        { timeoutMs: 120_000 },
      );
      expect(shard.code, shard.stderr).toBe(0);
      const merge = await runCli(['merge', 'shard', '--run-id', 'held', '--results-dir', resultsDir], {
        timeoutMs: 60_000,
      });
      expect(merge.code, merge.stderr).toBe(2);
      expect(merge.stderr).toContain('in use by `holder`');
    } finally {
      holder.kill('SIGKILL');
    }
  }, 280_000);
});

/** Results folders that cannot be used end the command at once with one line, and nothing keeps it alive. */
describe('an unusable --results-dir', () => {
  it.each([
    [
      'a file',
      () => {
        const file = join(mkdtempSync(join(tmpdir(), 'tb-file-')), 'results');
        writeFileSync(file, 'not a folder');
        return { dir: file, message: /--results-dir: .*results is not a folder|ENOTDIR/ };
      },
    ],
    ['under /proc', () => ({ dir: '/proc', message: /--results-dir: cannot create \/proc\/x: ENOENT/ })],
  ])(
    '%s: exit 2 with one line, promptly',
    async (_, make) => {
      assertBuilt();
      const { dir, message } = make();
      const started = Date.now();
      const r = await runCli(['run', SLOW, '--run-id', 'x', '--results-dir', dir, '--sandbox', 'local'], {
        timeoutMs: 60_000,
      });
      expect(r.code, r.stderr).toBe(2);
      const lines = r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('error:'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      // the sim it started is closed: the process ends by itself, long before the 60 s kill
      expect(Date.now() - started).toBeLessThan(30_000);
    },
    90_000,
  );
});
