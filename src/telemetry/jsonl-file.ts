import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';

/** A results file could not be written (a full disk, a read-only or vanished folder). */
export class ResultsWriteError extends Error {
  override name = 'ResultsWriteError';
  constructor(
    readonly path: string,
    readonly code: string | undefined,
    detail: string,
  ) {
    super(`cannot write ${path}: ${code ? `${code} (${detail})` : detail}`);
  }
}

/** The one-line form of a failed write: `ENOSPC (no space left on device)`. */
export function writeErrorOf(path: string, error: unknown): ResultsWriteError {
  if (error instanceof ResultsWriteError) return error;
  const e = error as NodeJS.ErrnoException;
  const detail = (e.message ?? String(error)).split(', ')[0]?.replace(/^[A-Z]+: /, '') ?? String(error);
  return new ResultsWriteError(path, e.code, detail);
}

/** Buffered lines past this size are written at once, whatever the caller's flush points. */
const MAX_BUFFERED_CHARS = 256 * 1024;

/**
 * An append-only JSONL file. Records are serialised as they come and kept in memory until
 * `flush()` (or until the buffer holds MAX_BUFFERED_CHARS), which writes them all at once: the
 * caller decides when lines must be on disk (the results writer: when a sample finishes, and at
 * least every second). A batch is written whole: a write that fails part-way (a full disk) is cut
 * back to the previous line, so the file never holds half a record followed by more records. A
 * torn last line left by a crash is cut off when the file is reopened.
 */
export class JsonlAppender {
  private fd: number | null;
  private size: number;
  private buffered: string[] = [];
  private bufferedChars = 0;

  /** `transform` rewrites each serialised line before it is written (the results writer redacts). */
  constructor(
    readonly path: string,
    private readonly transform: (line: string) => string = (line) => line,
  ) {
    repairTornTail(path);
    try {
      this.fd = openSync(path, 'a');
      this.size = fstatSync(this.fd).size;
    } catch (error) {
      throw writeErrorOf(path, error);
    }
  }

  /** Throws ResultsWriteError when the line cannot be written whole. */
  append(record: unknown): void {
    if (this.fd === null) throw new ResultsWriteError(this.path, undefined, 'the file is closed');
    const line = `${this.transform(JSON.stringify(record))}\n`;
    this.buffered.push(line);
    this.bufferedChars += line.length;
    if (this.bufferedChars >= MAX_BUFFERED_CHARS) this.flush();
  }

  /**
   * Writes the buffered lines; nothing when there are none. Throws ResultsWriteError when they
   * cannot be written whole (the batch is then dropped, and cut back off the file).
   */
  flush(): void {
    if (this.fd === null || this.buffered.length === 0) return;
    const text = Buffer.from(this.buffered.length === 1 ? this.buffered[0]! : this.buffered.join(''), 'utf8');
    this.buffered = [];
    this.bufferedChars = 0;
    let written = 0;
    try {
      while (written < text.length) written += writeSync(this.fd, text, written, text.length - written);
    } catch (error) {
      if (written > 0) {
        try {
          ftruncateSync(this.fd, this.size);
        } catch {
          // the torn tail is cut off when the file is next opened (resume)
        }
      }
      throw writeErrorOf(this.path, error);
    }
    this.size += text.length;
  }

  /** Forgets the buffered lines unwritten. */
  drop(): void {
    this.buffered = [];
    this.bufferedChars = 0;
  }

  /** Flushes, then closes; the file is closed even when the flush throws. */
  close(): void {
    try {
      this.flush();
    } finally {
      if (this.fd !== null) closeSync(this.fd);
      this.fd = null;
    }
  }
}

/** Truncate a file back to its last newline; returns the bytes removed. */
export function repairTornTail(path: string): number {
  if (!existsSync(path)) return 0;
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return 0;
    const chunk = Buffer.alloc(Math.min(size, 64 * 1024));
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const read = readSync(fd, chunk, 0, end - start, start);
      const idx = chunk.subarray(0, read).lastIndexOf(0x0a);
      if (idx !== -1) {
        const keep = start + idx + 1;
        if (keep < size) ftruncateSync(fd, keep);
        return size - keep;
      }
      end = start;
    }
    ftruncateSync(fd, 0);
    return size;
  } finally {
    closeSync(fd);
  }
}
