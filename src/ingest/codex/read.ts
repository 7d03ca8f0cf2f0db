import type { Readable } from 'node:stream';
import { overlong, parseJsonLine, readLines } from '../../config/read-lines.js';
import type { TokenCounter } from '../../telemetry/index.js';
import type { IngestEvent } from '../types.js';
import { parseCodexLine } from './parse-line.js';
import { CodexSessionReader, type SeenUsage } from './session.js';

export interface CodexReadOptions {
  /** Names the source in warnings and session ids when `source` is a stream. */
  file?: string;
  countTokens?: TokenCounter;
  /** Shared by the files of one ingest, so a fork's copy of its parent's requests is not counted again. */
  seenUsage?: SeenUsage;
}

/**
 * Reads a Codex rollout (`$CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl`) as ingest events, in
 * order, streaming: a broken line is one warning naming `file:line` and the rest is read.
 * This is the library entry for cross-checking a live Codex run against its own log.
 */
export async function* readCodexRollout(
  source: string | Readable,
  options: CodexReadOptions = {},
): AsyncGenerator<IngestEvent> {
  const file = typeof source === 'string' ? source : (options.file ?? 'stream');
  const reader = new CodexSessionReader(file, options.countTokens, options.seenUsage);
  for await (const { line, text, overlongBytes } of readLines(source)) {
    const ref = `${file}:${line}`;
    const raw = overlongBytes === undefined ? parseJsonLine(text) : null;
    if (overlongBytes !== undefined) reader.warn(`${ref}: ${overlong(overlongBytes)}; line skipped`, true);
    else if (raw === null) reader.warn(`${ref}: not valid JSON; line skipped`, true);
    else {
      const parsed = parseCodexLine(raw);
      if (parsed.ok) reader.line(parsed.line, parsed.at, ref, parsed.ordinal);
      else reader.warn(`${ref}: ${parsed.error}; line skipped`);
    }
    yield* reader.drain();
  }
  reader.end();
  yield* reader.drain();
}
