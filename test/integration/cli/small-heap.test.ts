import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SMALL_HEAP_ENV } from '../../../src/cli/small-heap.js';
import { RunManifestSchema } from '../../../src/telemetry/index.js';
import { assertBuilt, CLI, REPO, runCli, waitForFinished, writeSimSuite } from './helpers.js';

/**
 * `NODE_OPTIONS=--max-old-space-size=128 turnbench ...`: the CLI starts itself again once (execve:
 * same pid) with collector flags for the small heap (src/cli/small-heap.ts). Nothing else may differ: output, exit
 * code, Ctrl-C.
 */
const SMALL_HEAP = { NODE_OPTIONS: '--max-old-space-size=128' };
const SIZED = ['--max-semi-space-size=16', '--heap-growing-percent=100'];

function writeSuite(samples: number): string {
  const root = mkdtempSync(join(tmpdir(), 'tb-small-heap-'));
  writeSimSuite(root, { name: 'small-heap', variant: 'sim', epochs: samples });
  return root;
}

/** The node flags of a live process, from /proc (the same pid after an execve shows the new ones). */
function nodeFlags(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

function spawnInGroup(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  // Its own process group, so a signal to the group is what a terminal's Ctrl-C sends.
  return spawn(process.execPath, [CLI, ...args], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
}

function closed(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('close', (code) => resolve(code)));
}

async function listeningSim(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; flags: string[] }> {
  const child = spawnInGroup(['sim', '--port', '0'], env);
  let stdout = '';
  child.stdout?.on('data', (d) => (stdout += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the sim did not listen: ${stdout}`)), 60_000);
    const poll = setInterval(() => {
      if (stdout.includes('listening on')) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve();
      }
    }, 20);
  });
  return { child, flags: nodeFlags(child.pid!) };
}

describe('a small heap: the CLI tunes the collector by starting itself again once', () => {
  beforeAll(() => assertBuilt());

  it('a run under NODE_OPTIONS=--max-old-space-size=128 prints the same summary and exit code as without', async () => {
    const root = writeSuite(20);
    const resultsDir = join(root, 'results');
    const args = (id: string) => [
      'run',
      join(root, 'suite.yaml'),
      '--sandbox',
      'local',
      '--results-dir',
      resultsDir,
      '--run-id',
      id,
      '--json',
    ];
    const small = await runCli(args('small'), { env: SMALL_HEAP });
    const usual = await runCli(args('usual'));
    expect(small.code, small.stderr).toBe(0);
    expect(usual.code, usual.stderr).toBe(0);
    const summary = (out: string) => {
      const { status, variants } = JSON.parse(out) as {
        status: string;
        variants: { samples: number; passed: number }[];
      };
      return { status, variants: variants.map((v) => ({ samples: v.samples, passed: v.passed })) };
    };
    expect(summary(small.stdout)).toEqual(summary(usual.stdout));
    expect(summary(small.stdout).variants).toEqual([{ samples: 20, passed: 20 }]);
  }, 120_000);

  it('an error exits with the same code and the same one line as without', async () => {
    const missing = join(tmpdir(), 'tb-small-heap-no-such-suite.yaml');
    const small = await runCli(['run', missing, '--sandbox', 'local'], { env: SMALL_HEAP });
    const usual = await runCli(['run', missing, '--sandbox', 'local']);
    expect(usual.code).toBe(2);
    expect(small.code).toBe(usual.code);
    expect(small.stderr).toBe(usual.stderr);
    expect(small.stdout).toBe(usual.stdout);
  }, 60_000);

  it('the same pid runs the same command with the two flags added once; a flag given or the off switch stands', async () => {
    const sized = await listeningSim(SMALL_HEAP);
    const given = await listeningSim({ NODE_OPTIONS: '--max-old-space-size=128 --max-semi-space-size=4' });
    const off = await listeningSim({ ...SMALL_HEAP, [SMALL_HEAP_ENV]: '0' });
    const usual = await listeningSim({});
    const codes = [sized, given, off, usual].map(({ child }) => {
      process.kill(-child.pid!, 'SIGINT');
      return closed(child);
    });
    // argv[0] aside: the same command, with the two flags added once before the script.
    const command = [CLI, 'sim', '--port', '0'];
    expect(sized.flags.slice(1)).toEqual([...SIZED, ...command]);
    for (const { flags } of [given, off, usual]) expect(flags.slice(1)).toEqual(command);
    const [sizedCode, ...others] = await Promise.all(codes);
    for (const code of others) expect(sizedCode).toBe(code);
  }, 120_000);

  it('Ctrl-C (SIGINT to the process group) stops a sized run cleanly: exit 130, run interrupted', async () => {
    const root = writeSuite(5000);
    const resultsDir = join(root, 'results');
    const child = spawnInGroup(
      [
        'run',
        join(root, 'suite.yaml'),
        '--sandbox',
        'local',
        '--concurrency',
        '2',
        '--results-dir',
        resultsDir,
        '--run-id',
        'ctrl-c',
      ],
      SMALL_HEAP,
    );
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    const code = closed(child);
    await waitForFinished(() => stderr, 2);
    // The process being interrupted is the one started again, under the same pid.
    expect(nodeFlags(child.pid!)).toEqual(expect.arrayContaining(SIZED));
    process.kill(-child.pid!, 'SIGINT');
    expect(await code, stderr.slice(-2000)).toBe(130);
    expect(stderr).toContain('stopping');
    const manifest = RunManifestSchema.parse(
      JSON.parse(readFileSync(join(resultsDir, 'ctrl-c', 'run.json'), 'utf8')),
    );
    expect(manifest.status).toBe('interrupted');
  }, 120_000);
});
