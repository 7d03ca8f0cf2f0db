import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli, writeSimSuite } from './helpers.js';

/**
 * Start-up (issue 13): the CLI turns on Node's compile cache under os.tmpdir(), a cache that cannot
 * be written never fails a command, and the modules a run loads only when it needs them (the
 * summary table of a run without --json, the local sandbox factory) load from the built CLI.
 */
let root: string;

function cacheFiles(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
}

/** The environment with no compile-cache setting from outside, so only the CLI's own call counts. */
function envWith(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.NODE_COMPILE_CACHE;
  delete env.NODE_DISABLE_COMPILE_CACHE;
  return env;
}

beforeAll(() => {
  assertBuilt();
  root = mkdtempSync(join(tmpdir(), 'turnbench-startup-test-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('compile cache', () => {
  it('is written under os.tmpdir() by the CLI itself', async () => {
    const tmp = join(root, 'tmp-fresh');
    mkdirSync(tmp);
    const r = await runCli(['--help'], { env: envWith({ TMPDIR: tmp }) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: turnbench');
    expect(cacheFiles(join(tmp, 'node-compile-cache'))).toBeGreaterThan(0);
  });

  it("is not used from a folder others may write to, another user's folder, or a link", async () => {
    const cases: Array<[string, (dir: string) => void]> = [
      [
        'writable by others',
        (dir) => {
          mkdirSync(dir);
          chmodSync(dir, 0o777);
        },
      ],
      [
        'a link to a folder',
        (dir) => {
          const target = `${dir}-target`;
          mkdirSync(target, { mode: 0o700 });
          symlinkSync(target, dir);
        },
      ],
    ];
    // As root (CI) a folder can be given to another user; otherwise that case cannot be set up.
    if (process.getuid?.() === 0)
      cases.push([
        'owned by another user',
        (dir) => {
          mkdirSync(dir, { mode: 0o700 });
          chownSync(dir, 1000, 1000);
        },
      ]);
    for (const [name, plant] of cases) {
      const tmp = join(root, `tmp-${name.replaceAll(' ', '-')}`);
      mkdirSync(tmp);
      const dir = join(tmp, 'node-compile-cache');
      plant(dir);
      const r = await runCli(['--help'], { env: envWith({ TMPDIR: tmp }) });
      expect(r.code, name).toBe(0);
      expect(r.stdout, name).toContain('Usage: turnbench');
      expect(cacheFiles(dir), name).toBe(0);
    }
  });

  it('does not fail a command when its folder cannot be made', async () => {
    // TMPDIR names a file: no folder can be made under it.
    const notADir = join(root, 'a-file');
    writeFileSync(notADir, 'not a folder');
    const r = await runCli(['--help'], { env: envWith({ TMPDIR: notADir }) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: turnbench');
    expect(r.stderr).toBe('');
  });

  it('does not hang on a file system where a recursive mkdir never returns', async () => {
    // Node's own recursive mkdir of <TMPDIR>/node-compile-cache spins forever under /proc.
    const r = await runCli(['--help'], { env: envWith({ TMPDIR: '/proc' }), timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: turnbench');
  });
});

/** A one-task local suite against the in-process sim; returns its suite.yaml. */
function helloSuite(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  return writeSimSuite(dir, { name: 'startup-table', variant: 'one' });
}

describe('a local run without --json', () => {
  it('prints the summary table', async () => {
    const r = await runCli(
      ['run', helloSuite('suite'), '--run-id', 'table', '--results-dir', join(root, 'results')],
      { env: envWith({ TMPDIR: join(root, 'tmp-run') }) },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('run table completed:');
    expect(r.stdout).toMatch(/^variant\s+/m);
    expect(r.stdout).toMatch(/^one\s+/m);
  });
});

describe('the built CLI', () => {
  it('runs the bundle that `npm run build` writes, not the ~600 modules it was made from', async () => {
    // A hook that writes every module URL the process loaded to a file when it exits.
    const listFile = join(root, 'modules.txt');
    const hook = join(root, 'list-modules.mjs');
    writeFileSync(
      hook,
      `import { registerHooks } from 'node:module';
       import { writeFileSync } from 'node:fs';
       const seen = [];
       registerHooks({ load(url, context, next) { seen.push(url); return next(url, context); } });
       process.on('exit', () => writeFileSync(${JSON.stringify(listFile)}, seen.join('\\n')));`,
    );
    const r = await runCli(
      ['run', helloSuite('suite-bundle'), '--run-id', 'bundle', '--results-dir', join(root, 'results')],
      { env: envWith({ TMPDIR: join(root, 'tmp-run'), NODE_OPTIONS: `--import ${hook}` }) },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('run bundle completed:');
    const loaded = readFileSync(listFile, 'utf8').split('\n');
    expect(loaded.some((url) => url.includes('/dist/src/bundle/program.js'))).toBe(true);
    // nothing of the unbundled program: the runner, the sim, zod, yaml, openai come from the bundle
    expect(loaded.filter((url) => /\/dist\/src\/(runner|sim|telemetry)\//.test(url))).toEqual([]);
    expect(loaded.filter((url) => /node_modules\/(zod|yaml|openai)\//.test(url))).toEqual([]);
    expect(loaded.length).toBeLessThan(120);
  });
});
