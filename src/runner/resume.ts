import { once } from 'node:events';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type RunManifest, RunManifestSchema, repairTornTail } from '../telemetry/index.js';

export class ResumeError extends Error {
  override name = 'ResumeError';
}

export function readRunManifest(runDir: string): RunManifest {
  const file = join(runDir, 'run.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ResumeError(`${file}: cannot read the run manifest (${(error as Error).message})`);
  }
  const parsed = RunManifestSchema.safeParse(raw);
  if (!parsed.success)
    throw new ResumeError(`${file}: not a turnbench run manifest (${parsed.error.issues[0]?.message})`);
  return parsed.data;
}

function parseLine(line: string): { sampleId: string | null; status: unknown } {
  try {
    const value = JSON.parse(line) as { sample_id?: unknown; status?: unknown };
    return { sampleId: typeof value.sample_id === 'string' ? value.sample_id : null, status: value.status };
  } catch {
    return { sampleId: null, status: null };
  }
}

const sampleIdOf = (line: string) => parseLine(line).sampleId;

/** Each non-empty line of a file (none when it does not exist), streamed. */
export async function eachJsonLine(
  file: string,
  onLine: (line: string) => void | Promise<void>,
): Promise<void> {
  if (!existsSync(file)) return;
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim()) await onLine(line);
}

/**
 * Sample ids with a sample record that holds a result: those are finished and are not run again.
 * A sample that was cancelled (Ctrl-C, a run that stopped itself), skipped (the run's budget) or
 * ended in error (its engine, image, provider or setup failed: it has no score) did not finish: it
 * runs on resume.
 */
export async function finishedSampleIds(runDir: string): Promise<Set<string>> {
  const file = join(runDir, 'samples.jsonl');
  repairTornTail(file);
  const done = new Set<string>();
  await eachJsonLine(file, (line) => {
    const { sampleId, status } = parseLine(line);
    if (sampleId && status !== 'cancelled' && status !== 'skipped' && status !== 'error') done.add(sampleId);
  });
  return done;
}

/**
 * Drop the sample, turn and event records of samples that never finished (a crash mid-sample), so the
 * rerun of those samples leaves exactly one set of records. Streams; rewrites atomically.
 */
export async function dropUnfinishedRecords(runDir: string, finished: ReadonlySet<string>): Promise<number> {
  let dropped = 0;
  for (const name of ['samples.jsonl', 'turns.jsonl', 'events.jsonl']) {
    const file = join(runDir, name);
    repairTornTail(file);
    const tmp = `${file}.resume-tmp`;
    const out = createWriteStream(tmp, { encoding: 'utf8' });
    await eachJsonLine(file, async (line) => {
      const id = sampleIdOf(line);
      if (id !== null && !finished.has(id)) {
        dropped += 1;
        return;
      }
      if (!out.write(`${line}\n`)) await once(out, 'drain');
    });
    out.end();
    await once(out, 'finish');
    renameSync(tmp, file);
  }
  return dropped;
}

/**
 * Agent runs keep files per sample (`samples/<sample id>/`: session logs, the agent's output);
 * those of samples that never finished go with their records, so a rerun starts clean.
 */
export function dropUnfinishedSampleFolders(runDir: string, finished: ReadonlySet<string>): number {
  const root = join(runDir, 'samples');
  if (!existsSync(root)) return 0;
  let dropped = 0;
  for (const name of readdirSync(root)) {
    if (finished.has(decodeURIComponent(name))) continue;
    rmSync(join(root, name), { recursive: true, force: true });
    dropped += 1;
  }
  return dropped;
}
