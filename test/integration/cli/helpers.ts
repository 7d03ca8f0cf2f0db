import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stringify as toYaml } from 'yaml';

const execFileAsync = promisify(execFile);

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = join(REPO, 'dist/src/cli/main.js');

/** The CLI tests drive the built binary, as a user would; `scripts/test.sh` builds first. */
export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd ?? REPO,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 280_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** `run <suite>` on the local sandbox into `resultsDir` as `runId`, with any further flags. */
export function localRunArgs(suite: string, runId: string, resultsDir: string, ...extra: string[]): string[] {
  return ['run', suite, '--sandbox', 'local', '--run-id', runId, '--results-dir', resultsDir, ...extra];
}

export function spawnCli(args: string[], opts: { cwd?: string } = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? REPO,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function readJsonl(file: string): unknown[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
}

/**
 * A run id no other process uses: the Docker engine is shared (other test files, other users), and
 * tests check "no container of this run is left" by its run label.
 */
export function uniqueRunId(name: string): string {
  return `${name}-${randomBytes(3).toString('hex')}`;
}

/** Containers carrying a turnbench.run label (optionally one run's), via the docker CLI. */
export async function turnbenchContainers(runId?: string): Promise<string[]> {
  const filter = runId ? `label=turnbench.run=${runId}` : 'label=turnbench.run';
  const { stdout } = await execFileAsync('docker', ['ps', '-a', '-q', '--filter', filter]);
  return stdout.split('\n').filter(Boolean);
}

/** Resolves once the CLI's progress shows `count` finished samples (`[count/total]`). */
export function waitForFinished(stderr: () => string, count: number, timeoutMs = 240_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`fewer than ${count} samples finished:\n${stderr()}`)),
      timeoutMs,
    );
    const poll = setInterval(() => {
      if (new RegExp(`\\[${count}/\\d+\\]`).test(stderr())) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve();
      }
    }, 50);
  });
}

/**
 * A suite in `root` of one task the in-process sim answers "done" at once (a single-turn local
 * sample), run `epochs` times with one variant named `variant`; returns the suite.yaml path.
 */
export function writeSimSuite(
  root: string,
  opts: { name: string; variant: string; epochs?: number; variantFields?: Record<string, unknown> },
): string {
  mkdirSync(join(root, 'tasks', 'done'), { recursive: true });
  writeFileSync(
    join(root, 'tasks', 'done', 'task.yaml'),
    toYaml({
      id: 'done',
      instructions: 'Reply done.',
      scorer: { type: 'match', mode: 'contains', expected: 'done' },
      sim: { steps: [], final: 'done' },
    }),
  );
  const file = join(root, 'suite.yaml');
  writeFileSync(
    file,
    toYaml({
      name: opts.name,
      tasks: ['tasks/*'],
      epochs: opts.epochs ?? 1,
      variants: [
        {
          name: opts.variant,
          model: 'sim-1',
          provider: 'sim',
          instructions: 'Answer.',
          ...opts.variantFields,
        },
      ],
      sandbox: { engine: 'local' },
    }),
  );
  return file;
}
