import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';

/**
 * An append-only JSONL file. Each record is written with one write(2) call as soon as it
 * exists, so a crash loses at most the line being written; a torn last line left by a
 * crash is cut off when the file is reopened.
 */
export class JsonlAppender {
  private fd: number | null;

  /** `transform` rewrites each serialised line before it is written (the results writer redacts). */
  constructor(
    readonly path: string,
    private readonly transform: (line: string) => string = (line) => line,
  ) {
    repairTornTail(path);
    this.fd = openSync(path, 'a');
  }

  append(record: unknown): void {
    if (this.fd === null) throw new Error(`${this.path} is closed`);
    writeSync(this.fd, `${this.transform(JSON.stringify(record))}\n`);
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
