import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { glob } from 'tinyglobby';
import { parseJsonLine, readLines } from '../config/read-lines.js';

export class IngestInputError extends Error {
  override name = 'IngestInputError';
}

export interface LogFiles {
  /** The logs to read, in order. */
  files: string[];
  /** Compressed logs (`*.jsonl.gz`) found or named, which ingest does not read. */
  compressed: string[];
}

const COMPRESSED = /\.jsonl\.gz$/i;

/**
 * The log files named on the command line: files as given, folders searched for `*.jsonl` at any
 * depth (a Codex home's `sessions/` folder, a day folder, ...). Sorted within a folder, so Codex's
 * `YYYY/MM/DD` layout reads oldest first; a file named twice is read once. Compressed logs are
 * listed apart: they are not read, and the caller says so.
 */
export async function discoverLogFiles(inputs: readonly string[]): Promise<LogFiles> {
  const files: string[] = [];
  const compressed: string[] = [];
  const seen = new Set<string>();
  const add = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    (COMPRESSED.test(file) ? compressed : files).push(file);
  };
  for (const input of inputs) {
    const path = resolve(input);
    if (!existsSync(path)) throw new IngestInputError(`${input}: no such file or folder`);
    if (statSync(path).isDirectory()) {
      const found = await glob(['**/*.jsonl', '**/*.jsonl.gz'], { cwd: path, absolute: true, dot: false });
      found.sort();
      for (const file of found) add(file);
    } else add(path);
  }
  return { files, compressed };
}

export type LogFormat = 'codex' | 'plain';

function formatOf(raw: unknown): LogFormat | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const r = raw as Record<string, unknown>;
  // The rollout envelope ({timestamp, type, payload}) or the oldest rollouts' state marker.
  if ('payload' in r || 'record_type' in r) return 'codex';
  if ('usage' in r || r.type === 'request' || (r.type === 'compaction' && 'session' in r)) return 'plain';
  // The header of the oldest Codex rollouts: an id and a timestamp, no type.
  if (typeof r.id === 'string' && typeof r.timestamp === 'string' && r.type === undefined) return 'codex';
  return null;
}

/** Tells the format from the first lines that parse; null when none looks like either. */
export async function detectLogFormat(file: string, lookAhead = 5): Promise<LogFormat | null> {
  let looked = 0;
  for await (const { text } of readLines(file)) {
    const format = formatOf(parseJsonLine(text));
    if (format) return format;
    if (++looked >= lookAhead) break;
  }
  return null;
}
