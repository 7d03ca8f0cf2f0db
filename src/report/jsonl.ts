import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ZodType } from 'zod';
import { displayPath, parseJsonLine, readLines } from '../config/index.js';
import { parseOptions } from '../config/parse-once.js';

export interface JsonlReadResult {
  /** Non-empty lines seen. */
  lines: number;
  /** Lines that were not JSON or did not match the schema (a torn last line after a crash counts here). */
  skipped: number;
}

type WarningSink = (line: string) => void;
let warn: WarningSink = (line) => process.stderr.write(`${line}\n`);
const warned = new Set<string>();

/** Where the skipped-lines warnings go (stderr by default); for tests and embedders. */
export function setJsonlWarningSink(sink: WarningSink): void {
  warn = sink;
  warned.clear();
}

/** Lines 1-based, at most five listed. */
function skippedWarning(file: string, badLines: number[]): string {
  const listed = badLines.slice(0, 5).join(', ') + (badLines.length > 5 ? ', …' : '');
  const plural = badLines.length === 1 ? 'line' : 'lines';
  return `warning: ${file}: skipped ${badLines.length} unreadable ${plural} (${plural} ${listed})`;
}

/**
 * Streams a JSONL file line by line (bounded memory), validating each line with `schema`.
 * Bad lines are skipped and counted, never thrown: a crash may leave the last line torn. The
 * first time a file has bad lines, one warning names it with their line numbers (a line that
 * is not a record is damage worth knowing about, not only a torn tail). A missing file reads as
 * empty.
 */
export async function readJsonl<T>(
  file: string,
  schema: ZodType<T>,
  onRecord: (record: T) => void | Promise<void>,
): Promise<JsonlReadResult> {
  const result: JsonlReadResult = { lines: 0, skipped: 0 };
  if (!existsSync(file)) return result;
  const badLines: number[] = [];
  // the reader ingest uses: a line past its cap (a damaged or foreign file) is skipped, not held
  for await (const { line, text, overlongBytes } of readLines(file)) {
    result.lines++;
    const raw = overlongBytes === undefined ? parseJsonLine(text) : null;
    const parsed = raw === null ? null : schema.safeParse(raw, parseOptions(schema));
    if (!parsed?.success) {
      result.skipped++;
      badLines.push(line);
      continue;
    }
    // A promise from onRecord is awaited, so a slow consumer (a file write) applies back-pressure.
    const pending = onRecord(parsed.data);
    if (pending) await pending;
  }
  const key = resolve(file);
  if (badLines.length > 0 && !warned.has(key)) {
    warned.add(key);
    warn(skippedWarning(displayPath(file), badLines));
  }
  return result;
}
