import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export class FolderError extends Error {
  override name = 'FolderError';
}

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message.split(', ')[0]?.replace(/^[A-Z]+: /, '')}` : String(error);
}

/**
 * `mkdir -p` that creates each missing folder once and fails with one line. (Node's own recursive
 * mkdir retries forever where the parent exists but refuses children, as under /proc.) Returns
 * whether `dir` itself was created.
 */
export function ensureDir(dir: string): boolean {
  const missing: string[] = [];
  for (let current = resolve(dir); ; current = dirname(current)) {
    try {
      if (!statSync(current).isDirectory()) throw new FolderError(`${current} is not a folder`);
      break;
    } catch (error) {
      if (error instanceof FolderError) throw error;
      if (errnoOf(error) !== 'ENOENT') throw new FolderError(`cannot use ${current}: ${reason(error)}`);
      missing.push(current);
      if (dirname(current) === current) break;
    }
  }
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder);
    } catch (error) {
      if (errnoOf(error) !== 'EEXIST') throw new FolderError(`cannot create ${folder}: ${reason(error)}`);
    }
  }
  return missing.length > 0;
}
