import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_SAMPLES } from '../../../src/config/index.js';
import { assertBuilt, runCli, turnbenchContainers } from '../cli/helpers.js';

/**
 * Finding 12 of issue 12: `repeat: 100000000` or `epochs: 100000000` ended in a V8 out-of-memory
 * abort with the run left `running` and a container leaked; `memory_mb: 1` and `cpus: 64` were
 * accepted and every sample errored. Each is now one line, exit 2, before any folder or container.
 */

function suiteWith(opts: { suite?: string; task?: string; tasks?: number; scorer?: string }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tb-sizes-'));
  const ids: string[] = [];
  for (let i = 0; i < (opts.tasks ?? 1); i++) {
    ids.push(`t${i}`);
    mkdirSync(join(dir, `t${i}`));
    writeFileSync(
      join(dir, `t${i}/task.yaml`),
      `id: t${i}\ninstructions: say done\nscorer: ${opts.scorer ?? '{ type: match, expected: done }'}\n${opts.task ?? 'sim: { final: done }\n'}`,
    );
  }
  writeFileSync(
    join(dir, 'suite.yaml'),
    `name: sizes\ntasks: [${ids.join(', ')}]\n${opts.suite ?? ''}variants:\n  - name: v\n    instructions: be brief\n`,
  );
  return join(dir, 'suite.yaml');
}

async function refused(suite: string, message: RegExp, extra: string[] = []): Promise<void> {
  const resultsDir = mkdtempSync(join(tmpdir(), 'tb-sizes-res-'));
  const runId = `sizes-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const started = Date.now();
  const r = await runCli(['run', suite, '--run-id', runId, '--results-dir', resultsDir, ...extra], {
    timeoutMs: 60_000,
  });
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.trim().split('\n')[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/heap|out of memory|FATAL/i);
  // refused while loading, not after an attempt to build a hundred million of anything
  expect(Date.now() - started).toBeLessThan(30_000);
  expect(existsSync(join(resultsDir, runId))).toBe(false);
  expect(await turnbenchContainers(runId)).toEqual([]);
}

describe('absurd sizes (issue 12, finding 12)', () => {
  beforeAll(() => assertBuilt());

  it('a sim step repeated 100,000,000 times', async () => {
    const suite = suiteWith({
      task: 'sim:\n  steps:\n    - repeat: 100000000\n      shell: echo {{i}}\n  final: done\n',
    });
    await refused(suite, /t0\/task\.yaml:\d+: sim\.steps\[0\]\.repeat: at most 10000$/);
  });

  it('sim steps that expand past 100,000 in total', async () => {
    const steps = Array.from({ length: 11 }, () => '    - repeat: 10000\n      shell: "true"\n').join('');
    const suite = suiteWith({ task: `sim:\n  steps:\n${steps}  final: done\n` });
    await refused(
      suite,
      /t0\/task\.yaml:\d+: sim\.steps: 110000 steps once repeats are expanded; at most 100000$/,
    );
  });

  it('epochs: 100,000,000 in the suite and as a flag', async () => {
    await refused(suiteWith({ suite: 'epochs: 100000000\n' }), /suite\.yaml:\d+: epochs: at most 1000000$/);
    await refused(suiteWith({}), /--epochs: at most 1000000/, ['--epochs', '100000000']);
  });

  it('tasks x variants x epochs past the ceiling, and the ceiling itself accepted', async () => {
    const suite = suiteWith({ tasks: 3, suite: `epochs: ${MAX_SAMPLES / 2}\n` });
    await refused(
      suite,
      /suite\.yaml: epochs: 3 tasks x 1 variant x 500000 epochs = 1500000 samples; a run holds at most 1000000$/,
    );
    // exactly the ceiling: listed (samples are still expanded eagerly; the other helper makes it lazy)
    const atCeiling = suiteWith({ tasks: 2, suite: `epochs: ${MAX_SAMPLES / 2}\n` });
    const r = await runCli(['tasks', atCeiling], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`= ${MAX_SAMPLES} samples`);
  }, 150_000);

  it('memory_mb: 1, pids: 1, cpus: 2000 are refused by the schema', async () => {
    await refused(
      suiteWith({ suite: 'sandbox: { memory_mb: 1 }\n' }),
      /sandbox\.memory_mb: at least 32 \(MB\)$/,
    );
    await refused(suiteWith({ suite: 'sandbox: { pids: 1 }\n' }), /sandbox\.pids: at least 16$/);
    await refused(suiteWith({ suite: 'sandbox: { cpus: 2000 }\n' }), /sandbox\.cpus: at most 1024$/);
  });

  it('cpus: 64 on a smaller engine is refused against the real engine, naming it', async () => {
    const { execFileSync } = await import('node:child_process');
    const engineCpus = Number(
      execFileSync('docker', ['info', '--format', '{{.NCPU}}'], { encoding: 'utf8' }).trim(),
    );
    expect(engineCpus).toBeGreaterThan(0);
    const wanted = engineCpus + 1;
    await refused(
      suiteWith({ suite: `sandbox: { cpus: ${wanted} }\n` }),
      new RegExp(
        `suite\\.yaml: sandbox\\.cpus: ${wanted} is more than the ${engineCpus} CPUs of the Docker engine at `,
      ),
    );
  });

  it('cpus equal to the engine and the smallest memory run a sample in Docker', async () => {
    const { execFileSync } = await import('node:child_process');
    const engineCpus = Number(
      execFileSync('docker', ['info', '--format', '{{.NCPU}}'], { encoding: 'utf8' }).trim(),
    );
    const suite = suiteWith({
      suite: `sandbox: { cpus: ${engineCpus}, memory_mb: 32, pids: 16 }\n`,
      task: 'sim:\n  steps:\n    - shell: python3 -c "print(6*7)" > out.txt\n  final: done\n',
      scorer: '{ type: command, command: test "$(cat out.txt)" = 42 }',
    });
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-sizes-ok-'));
    const r = await runCli(['run', suite, '--run-id', 'edge', '--results-dir', resultsDir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { variants: Array<{ passed: number; errors: number }> };
    expect(summary.variants[0]).toMatchObject({ passed: 1, errors: 0 });
  }, 120_000);
});
