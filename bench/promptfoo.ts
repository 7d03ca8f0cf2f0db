import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify as toYaml } from 'yaml';
import * as z from 'zod';

/**
 * promptfoo, the peer of `bench/peers.ts`: not a dependency of turnbench (it brings ~800 packages),
 * so it is installed from the npm registry on first use into the user's cache, pinned, and reused.
 */
export const PROMPTFOO_VERSION = '0.123.1';

const execFileAsync = promisify(execFile);

const PackageSchema = z.object({ version: z.string(), bin: z.record(z.string(), z.string()) });

function cacheRoot(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'turnbench', 'peers');
}

/** The entry script of the pinned promptfoo, if it is installed. */
function installedEntry(dir: string): string | null {
  const pkgFile = join(dir, 'node_modules', 'promptfoo', 'package.json');
  if (!existsSync(pkgFile)) return null;
  const pkg = PackageSchema.safeParse(JSON.parse(readFileSync(pkgFile, 'utf8')));
  const bin = pkg.success ? pkg.data.bin.promptfoo : undefined;
  if (!pkg.success || pkg.data.version !== PROMPTFOO_VERSION || !bin) return null;
  return join(dir, 'node_modules', 'promptfoo', bin);
}

/**
 * The path of promptfoo's entry script (run it with node), installing it first when it is not
 * there (~2.5 minutes on a 2-core machine). The install goes to a folder of its own and is moved
 * into place only when complete, so an interrupted one is not taken for an installed one.
 */
export async function ensurePromptfoo(log: (line: string) => void): Promise<string> {
  const dir = join(cacheRoot(), `promptfoo-${PROMPTFOO_VERSION}`);
  const entry = installedEntry(dir);
  if (entry) return entry;
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  log(`installing promptfoo@${PROMPTFOO_VERSION} into ${dir} (once; ~800 packages from the npm registry)`);
  try {
    await execFileAsync(
      'npm',
      [
        'install',
        '--prefix',
        partial,
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        `promptfoo@${PROMPTFOO_VERSION}`,
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    // Another bench process may have finished the same install meanwhile: keep the one in place.
    if (installedEntry(dir)) rmSync(partial, { recursive: true, force: true });
    else {
      rmSync(dir, { recursive: true, force: true });
      renameSync(partial, dir);
    }
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw new Error(
      `could not install promptfoo@${PROMPTFOO_VERSION}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  const installed = installedEntry(dir);
  if (!installed)
    throw new Error(`promptfoo@${PROMPTFOO_VERSION} installed into ${dir} but its entry is not there`);
  return installed;
}

/** Environment for a promptfoo run that stays offline and keeps its state in `home`. */
export function promptfooEnv(home: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PROMPTFOO_CONFIG_DIR: home,
    PROMPTFOO_DISABLE_TELEMETRY: '1',
    PROMPTFOO_DISABLE_UPDATE: '1',
    PROMPTFOO_DISABLE_SHARING: '1',
  };
}

/**
 * A promptfoo config that sends each text once, as its Responses provider does (one non-streamed
 * `POST /v1/responses` per test), and checks the answer contains what the sim is scripted to say.
 */
export function writePromptfooConfig(
  file: string,
  baseURL: string,
  tests: readonly { text: string; expected: string }[],
): void {
  const config = {
    description: 'turnbench peers benchmark',
    prompts: ['{{task}}'],
    providers: [
      { id: 'openai:responses:sim-1', config: { apiBaseUrl: `${baseURL}/v1`, apiKey: 'bench-not-a-secret' } },
    ],
    tests: tests.map((t) => ({ vars: { task: t.text }, assert: [{ type: 'contains', value: t.expected }] })),
  };
  writeFileSync(file, toYaml(config));
}

const OutputSchema = z.object({
  results: z.object({
    stats: z.object({
      successes: z.number(),
      failures: z.number(),
      errors: z.number(),
      tokenUsage: z.object({ numRequests: z.number() }),
    }),
  }),
});

/** Passed, failed and errored tests of a promptfoo output file (`eval -o file.json`), and the requests sent. */
export function promptfooStats(file: string): {
  successes: number;
  failures: number;
  errors: number;
  requests: number;
} {
  const { tokenUsage, ...stats } = OutputSchema.parse(JSON.parse(readFileSync(file, 'utf8'))).results.stats;
  return { ...stats, requests: tokenUsage.numRequests };
}
