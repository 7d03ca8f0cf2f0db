import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { ConfigError } from '../../../src/config/index.js';

export const fixtures = path.resolve('test/fixtures/tasks');

/** Await a promise that must fail with a one-line ConfigError, and return it. */
export async function expectConfigError(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  const configError = error as ConfigError;
  expect(configError.message).not.toContain('\n');
  return configError;
}

/** A scratch folder with the given files (text), removed by the returned cleanup. */
export async function scratchDir(
  files: Record<string, string>,
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'turnbench-tasks-'));
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
