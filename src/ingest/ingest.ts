import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Pricing } from '../config/index.js';
import { acquireRunLock, versions } from '../runner/index.js';
import {
  hashValue,
  type IngestInfo,
  ResultsWriter,
  type RunManifest,
  SCHEMA_VERSION,
  type TokenCounter,
} from '../telemetry/index.js';
import { RunBuilder, type RunBuildStats } from './build-run.js';
import { oneFilePerSession } from './codex/copies.js';
import { readCodexRollout } from './codex/read.js';
import type { SeenUsage } from './codex/session.js';
import { detectLogFormat, discoverLogFiles, IngestInputError, type LogFormat } from './discover.js';
import type { GroupBy } from './group-by.js';
import { readPlainLog } from './plain/read.js';
import type { TimeRange } from './time-range.js';
import type { IngestEvent } from './types.js';

export interface IngestOptions {
  /** Files and folders, as the user named them. */
  inputs: string[];
  runId: string;
  resultsDir: string;
  groupBy: GroupBy;
  range: TimeRange;
  /** As given on the command line, for run.json. */
  since: string | null;
  until: string | null;
  pricing: Pricing;
  /** Called once per warning as it happens (a broken line, an unknown price, ...). */
  onWarning?: (message: string) => void;
  countTokens?: TokenCounter;
}

export interface IngestResult {
  runId: string;
  runDir: string;
  files: number;
  stats: RunBuildStats;
  warnings: number;
}

/** Warnings kept in run.json; all are counted. */
const KEPT_WARNINGS = 100;

function eventsOf(
  format: 'codex' | 'plain',
  file: string,
  seenUsage: SeenUsage,
  countTokens?: TokenCounter,
): AsyncGenerator<IngestEvent> {
  const options = countTokens ? { countTokens } : {};
  return format === 'codex' ? readCodexRollout(file, { ...options, seenUsage }) : readPlainLog(file, options);
}

/**
 * `turnbench ingest`: reads session logs (Codex rollouts, the plain format) into a run folder with
 * the same files and schemas as a run turnbench executed, marked `source: "ingest"`.
 */
export async function ingestLogs(options: IngestOptions): Promise<IngestResult> {
  const { files, compressed } = await discoverLogFiles(options.inputs);
  if (files.length === 0) {
    const gz = compressed.length > 0 ? ` (${compressedNote(compressed.length)})` : '';
    throw new IngestInputError(`no .jsonl files in ${options.inputs.join(', ')}${gz}`);
  }
  const runDir = resolve(options.resultsDir, options.runId);
  // One process writes a run folder at a time (run-lock.ts); a second one is refused.
  const lock = acquireRunLock(runDir, `ingest --run-id ${options.runId}`);
  try {
    return await ingestInto(options, files, compressed.length, runDir);
  } finally {
    lock.release();
  }
}

function compressedNote(count: number): string {
  return `${count} compressed log${count === 1 ? '' : 's'} (*.jsonl.gz) not read: ingest reads uncompressed .jsonl only (gunzip them first)`;
}

async function ingestInto(
  options: IngestOptions,
  files: string[],
  compressed: number,
  runDir: string,
): Promise<IngestResult> {
  if (existsSync(join(runDir, 'run.json'))) {
    throw new IngestInputError(`run folder ${runDir} already exists; choose another --run-id`);
  }

  const kept: string[] = [];
  let warnings = 0;
  const warn = (message: string) => {
    warnings++;
    if (kept.length < KEPT_WARNINGS) kept.push(message);
    options.onWarning?.(message);
  };

  const writer = new ResultsWriter(runDir);
  const ingestedAt = new Date().toISOString();
  const manifest = (status: RunManifest['status'], stats: RunBuildStats | null): RunManifest => {
    const suite = {
      name: 'ingest',
      group_by: options.groupBy,
      inputs: options.inputs,
      variants: (stats?.variants ?? []).map((name) => ({ name })),
    };
    const info: IngestInfo = {
      inputs: options.inputs,
      files: files.length,
      sessions: stats?.sessions ?? 0,
      group_by: options.groupBy,
      since: options.since,
      until: options.until,
      ingested_at: ingestedAt,
      warning_count: warnings,
      warnings: kept,
    };
    return {
      schema: SCHEMA_VERSION,
      run_id: options.runId,
      suite_name: 'ingest',
      suite_path: options.inputs.join(' '),
      suite,
      suite_hash: hashValue(suite),
      sample_ids: stats?.sampleIds ?? [],
      status,
      // An ingested run spans the time of the requests it holds, which orders it in `history`.
      started_at: stats?.firstAt != null ? new Date(stats.firstAt).toISOString() : ingestedAt,
      ended_at:
        stats?.lastAt != null
          ? new Date(stats.lastAt).toISOString()
          : status === 'running'
            ? null
            : ingestedAt,
      versions: versions(),
      shard: null,
      selection: null,
      resumed_at: [],
      merged_from: [],
      source: 'ingest',
      ingest: info,
      error: writer.failed?.message ?? null,
    };
  };

  writer.writeManifest(manifest('running', null));
  if (compressed > 0) warn(compressedNote(compressed));
  const builder = new RunBuilder({
    runId: options.runId,
    groupBy: options.groupBy,
    range: options.range,
    pricing: options.pricing,
    sink: writer,
    warn,
    ...(options.countTokens ? { countTokens: options.countTokens } : {}),
  });
  let stats: RunBuildStats;
  const seenUsage: SeenUsage = new Map();
  try {
    const formats = new Map<string, LogFormat>();
    for (const file of files) {
      const format = await detectLogFormat(file);
      if (format) formats.set(file, format);
      else warn(`${file}: neither a Codex rollout nor the plain format (docs/ingest.md); skipped`);
    }
    const codexFiles = await oneFilePerSession(
      files.filter((file) => formats.get(file) === 'codex'),
      warn,
    );
    const read = new Set([...codexFiles, ...files.filter((file) => formats.get(file) === 'plain')]);
    for (const file of files) {
      const format = formats.get(file);
      if (!format || !read.has(file)) continue;
      for await (const event of eventsOf(format, file, seenUsage, options.countTokens)) builder.accept(event);
    }
    stats = builder.finish();
    // A record that could not be written (a full disk) fails the ingest, never a silent gap.
    if (writer.failed) throw writer.failed;
  } catch (error) {
    writer.close();
    try {
      writer.writeManifest(manifest('failed', null));
    } catch {
      // the error being thrown says more
    }
    throw error;
  }
  writer.close();
  writer.writeManifest(manifest('completed', stats));
  return { runId: options.runId, runDir, files: files.length, stats, warnings };
}
