import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunManifestSchema, SampleRecordSchema } from '../../../src/telemetry/index.js';
import { assertBuilt, runCli, turnbenchContainers, uniqueRunId } from './helpers.js';

const RUN = uniqueRunId('full');

const root = process.getuid?.() === 0;
if (process.env.CI === 'true' && !root) throw new Error('the full-disk test mounts a tmpfs: run it as root');

/** Every line of a results file parses: no half-written record was left behind. */
function wholeLines(file: string): unknown[] {
  const text = readFileSync(file, 'utf8');
  if (text !== '') expect(text.endsWith('\n'), file).toBe(true);
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as unknown);
}

/**
 * The results folder on a 128 KB tmpfs fills up in the middle of a Docker run: the run stops with
 * one line, removes its containers, records `failed` with the reason, leaves only whole records, and
 * a resume (after making room) finishes it.
 */
describe.skipIf(!root)('a results disk that fills up mid-run', () => {
  const mountPoint = mkdtempSync(join(tmpdir(), 'tb-full-'));
  let mounted = false;

  afterAll(() => {
    if (mounted) execFileSync('umount', [mountPoint]);
  });

  it('stops the run cleanly and leaves it resumable', async () => {
    assertBuilt();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=128k', 'tmpfs', mountPoint]);
    mounted = true;
    const suite = 'test/fixtures/suites/resume/suite.yaml';
    const r = await runCli(['run', suite, '--run-id', RUN, '--results-dir', mountPoint], {
      timeoutMs: 240_000,
    });
    expect(r.code, r.stderr.slice(-2000)).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`stopping: cannot write \\S+/${RUN}/\\w+\\.jsonl: ENOSPC \\(no space left on device\\)`),
    );
    expect(r.stderr).toMatch(
      new RegExp(`run ${RUN} failed: cannot write .*ENOSPC.*\`turnbench run --resume ${RUN} --results-dir `),
    );
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await turnbenchContainers(RUN)).toEqual([]);

    const runDir = join(mountPoint, RUN);
    const manifest = RunManifestSchema.parse(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')));
    expect(manifest.status).toBe('failed');
    expect(manifest.error).toMatch(/ENOSPC/);
    expect(manifest.ended_at).not.toBeNull();
    for (const name of ['samples.jsonl', 'turns.jsonl', 'events.jsonl']) wholeLines(join(runDir, name));
    const before = wholeLines(join(runDir, 'samples.jsonl')).length;
    expect(before).toBeLessThan(manifest.sample_ids.length);

    // Room again: the resume finishes exactly the samples without a result.
    execFileSync('mount', ['-o', 'remount,size=16m', mountPoint]);
    const resumed = await runCli(['run', '--resume', RUN, '--results-dir', mountPoint], {
      timeoutMs: 240_000,
    });
    expect(resumed.code, resumed.stderr.slice(-2000)).toBe(0);
    const samples = wholeLines(join(runDir, 'samples.jsonl')).map((l) => SampleRecordSchema.parse(l));
    expect(samples.map((s) => s.sample_id).sort()).toEqual([...manifest.sample_ids].sort());
    for (const s of samples) expect(s.status, s.sample_id).toBe('completed');
    const after = RunManifestSchema.parse(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')));
    expect(after).toMatchObject({ status: 'completed', error: null });
    expect(readdirSync(runDir)).not.toContain('.reserve');
    expect(await turnbenchContainers(RUN)).toEqual([]);
  }, 480_000);
});
