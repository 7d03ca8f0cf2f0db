import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseOptions } from '../config/parse-once.js';
import { type RunManifest, RunManifestSchema } from '../telemetry/index.js';

export const RUN_FILES = {
  manifest: 'run.json',
  samples: 'samples.jsonl',
  turns: 'turns.jsonl',
  events: 'events.jsonl',
} as const;

/** The run id or folder given does not lead to a run (no run.json). */
export class RunNotFoundError extends Error {
  override name = 'RunNotFoundError';
}

function isRunDir(dir: string): boolean {
  return existsSync(join(dir, RUN_FILES.manifest)) && statSync(dir).isDirectory();
}

/** A run id under `resultsDir` (default `results`), or a run folder path. Throws a clear error if neither. */
export function resolveRunDir(runIdOrDir: string, resultsDir = 'results'): string {
  const underResults = resolve(resultsDir, runIdOrDir);
  if (isRunDir(underResults)) return underResults;
  const asPath = resolve(runIdOrDir);
  if (isRunDir(asPath)) return asPath;
  throw new RunNotFoundError(
    `run not found: '${runIdOrDir}' is neither a run id under ${resolve(resultsDir)} nor a folder containing ${RUN_FILES.manifest}`,
  );
}

export function readManifest(runDir: string): RunManifest {
  const file = join(runDir, RUN_FILES.manifest);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: cannot read run manifest (${(err as Error).message})`);
  }
  const parsed = RunManifestSchema.safeParse(raw, parseOptions(RunManifestSchema));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: field ${issue?.path.map(String).join('.') || '(root)'}: ${issue?.message}`);
  }
  return parsed.data;
}
