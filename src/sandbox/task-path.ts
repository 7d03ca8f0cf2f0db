import { posix } from 'node:path';

/** Resolves a task file path under the workdir, refusing absolute paths and `..` escapes. */
export function relativeTaskPath(path: string): string {
  const normal = posix.normalize(path.replace(/\\/g, '/'));
  if (posix.isAbsolute(normal) || normal === '..' || normal.startsWith('../') || normal === '.') {
    throw new Error(`task file path "${path}" must be relative and stay inside the working directory`);
  }
  return normal.replace(/\/+$/, '');
}
