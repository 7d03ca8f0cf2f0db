import { once } from 'node:events';
import { cpSync, createReadStream, createWriteStream, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { RunManifest } from '../telemetry/index.js';
import { readRunManifest } from './resume.js';
import { acquireRunLock, liveRunOwner } from './run-lock.js';

export class MergeError extends Error {
  override name = 'MergeError';
}

export interface MergeResult {
  runDir: string;
  manifest: RunManifest;
  samples: number;
}

async function copyRewritingRunId(from: string, to: NodeJS.WritableStream, runId: string): Promise<number> {
  if (!existsSync(from)) return 0;
  let lines = 0;
  const input = createInterface({ input: createReadStream(from, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of input) {
    if (!line.trim()) continue;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue; // a torn last line from a crashed shard
    }
    record.run_id = runId;
    lines += 1;
    if (!to.write(`${JSON.stringify(record)}\n`)) await once(to, 'drain');
  }
  return lines;
}

/**
 * Joins shard run folders (`run --shard i/n`, e.g. CI matrix jobs) into one run. The shards must
 * come from the same suite; a sample that appears in two shards is refused, and so is a shard that
 * is still being written. The merged folder is held for the whole merge (run-lock.ts).
 */
export async function mergeRuns(shardDirs: string[], outDir: string, runId: string): Promise<MergeResult> {
  if (shardDirs.length === 0) throw new MergeError('merge needs at least one shard run');
  for (const dir of shardDirs) {
    const owner = liveRunOwner(dir);
    if (owner)
      throw new MergeError(`${dir} is still being written by \`${owner.command}\` (pid ${owner.pid})`);
  }
  const lock = acquireRunLock(outDir, `merge --run-id ${runId}`);
  try {
    return await mergeInto(shardDirs, outDir, runId);
  } finally {
    lock.release();
  }
}

async function mergeInto(shardDirs: string[], outDir: string, runId: string): Promise<MergeResult> {
  if (existsSync(join(outDir, 'run.json'))) throw new MergeError(`${outDir} already exists`);
  const manifests = shardDirs.map((dir) => readRunManifest(dir));
  const first = manifests[0]!;
  const seen = new Map<string, string>();
  for (const m of manifests) {
    if (m.suite_name !== first.suite_name) {
      throw new MergeError(`run ${m.run_id} is of suite "${m.suite_name}", not "${first.suite_name}"`);
    }
    for (const id of m.sample_ids) {
      const other = seen.get(id);
      if (other) throw new MergeError(`sample ${id} is in both ${other} and ${m.run_id}`);
      seen.set(id, m.run_id);
    }
  }
  const counts = new Set(manifests.map((m) => m.shard?.count ?? 1));
  if (counts.size > 1) throw new MergeError('the runs were sharded with different shard counts');

  let samples = 0;
  for (const name of ['samples.jsonl', 'turns.jsonl', 'events.jsonl']) {
    const out = createWriteStream(join(outDir, name), { encoding: 'utf8' });
    for (const dir of shardDirs) {
      const n = await copyRewritingRunId(join(dir, name), out, runId);
      if (name === 'samples.jsonl') samples += n;
    }
    out.end();
    await once(out, 'finish');
  }
  // Agent runs keep per-sample files (session logs); sample ids are unique across shards.
  for (const dir of shardDirs) {
    const folders = join(dir, 'samples');
    if (existsSync(folders)) cpSync(folders, join(outDir, 'samples'), { recursive: true });
  }
  const expectedShards = first.shard?.count ?? 1;
  const complete = manifests.every((m) => m.status === 'completed') && manifests.length === expectedShards;
  const manifest: RunManifest = {
    ...first,
    run_id: runId,
    sample_ids: manifests.flatMap((m) => m.sample_ids),
    status: complete ? 'completed' : 'interrupted',
    started_at: manifests.map((m) => m.started_at).sort()[0]!,
    ended_at:
      manifests
        .map((m) => m.ended_at ?? '')
        .sort()
        .at(-1) || null,
    shard: null,
    resumed_at: [],
    merged_from: manifests.map((m) => m.run_id),
    error:
      manifests
        .filter((m) => m.error)
        .map((m) => `${m.run_id}: ${m.error}`)
        .join('; ') || null,
  };
  writeFileSync(join(outDir, 'run.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { runDir: outDir, manifest, samples };
}
