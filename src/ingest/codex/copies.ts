import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { parseJsonLine, readLines } from '../../config/read-lines.js';
import { parseCodexLine } from './parse-line.js';

/** The session id a rollout's file name ends with (`rollout-<time>-<uuid>.jsonl`), else the name itself. */
export function sessionIdFromFileName(file: string): string {
  const name = basename(file).replace(/\.jsonl$/i, '');
  const uuid = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(name);
  return uuid?.[1] ?? name;
}

/** The session a rollout holds: its first `session_meta`'s id (read from the first lines), else the file name's. */
async function sessionIdOf(file: string, lookAhead = 5): Promise<string> {
  let looked = 0;
  for await (const { text } of readLines(file)) {
    const parsed = parseCodexLine(parseJsonLine(text));
    if (parsed.ok && parsed.line.kind === 'meta') return parsed.line.meta.id ?? sessionIdFromFileName(file);
    if (++looked >= lookAhead) break;
  }
  return sessionIdFromFileName(file);
}

/** How much a copy holds: its lines, and a digest to tell identical copies. */
async function measure(file: string): Promise<{ lines: number; digest: string }> {
  const hash = createHash('sha256');
  let lines = 0;
  for await (const { text } of readLines(file)) {
    lines++;
    hash.update(text).update('\n');
  }
  return { lines, digest: hash.digest('hex') };
}

/**
 * One file per Codex session. The same session found twice (a backup, a copied home folder) is
 * read once, from the copy that holds more: a copy taken while the session went on is a stale,
 * shorter prefix of the live file, whichever path sorts first. Each skipped copy is one warning
 * naming the copy read and whether the two differ. Files keep their order.
 */
export async function oneFilePerSession(
  files: readonly string[],
  warn: (message: string) => void,
): Promise<string[]> {
  const bySession = new Map<string, string[]>();
  for (const file of files) {
    const id = await sessionIdOf(file);
    const copies = bySession.get(id);
    if (copies) copies.push(file);
    else bySession.set(id, [file]);
  }
  const skipped = new Set<string>();
  for (const [id, copies] of bySession) {
    if (copies.length < 2) continue;
    const measured = await Promise.all(copies.map(async (file) => ({ file, ...(await measure(file)) })));
    // the first of the largest: a tie keeps the path found first
    const kept = measured.reduce((best, copy) => (copy.lines > best.lines ? copy : best));
    for (const copy of measured) {
      if (copy === kept) continue;
      skipped.add(copy.file);
      warn(
        copy.digest === kept.digest
          ? `${copy.file}: session ${id} is also in ${kept.file} (an identical copy); skipped`
          : kept.lines > copy.lines
            ? `${copy.file}: session ${id} is also in ${kept.file}, which holds more (${kept.lines} lines, this copy ${copy.lines}); the copies differ: that one is read, this one skipped`
            : `${copy.file}: session ${id} is also in ${kept.file}, with as many lines (${kept.lines}); the copies differ: that one (found first) is read, this one skipped`,
      );
    }
  }
  return files.filter((file) => !skipped.has(file));
}
