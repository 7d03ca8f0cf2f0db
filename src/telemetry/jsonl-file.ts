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

/**
 * An append-only JSONL file. Each record is written as soon as it exists, whole: a write that
 * fails part-way (a full disk) is cut back to the previous line, so the file never holds half a
 * record followed by more records. A torn last line left by a crash is cut off when the file is
 * reopened.
 */
export class JsonlAppender {
  private fd: number | null;
  private size: number;

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
    const line = Buffer.from(`${this.transform(JSON.stringify(record))}\n`, 'utf8');
    let written = 0;
    try {
      while (written < line.length) written += writeSync(this.fd, line, written, line.length - written);
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
    this.size += line.length;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
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
