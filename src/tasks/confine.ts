import { realpath } from 'node:fs/promises';
import path from 'node:path';

/** Whether `candidate` is `root` or below it (paths as given, not resolved). */
export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Why `target` (already absolute) may not be used, or null: it must lie in one of `roots` both as
 * written and once symlinks are resolved. A path that does not exist passes here; reading it
 * reports that. `what` names the roots in the message ("the task folder").
 */
export async function confinementProblem(
  target: string,
  written: string,
  roots: readonly string[],
  what: string,
): Promise<string | null> {
  if (!roots.some((root) => isInside(root, target))) return `"${written}" is outside ${what}`;
  const real = await realpath(target).catch(() => null);
  if (real === null) return null;
  const realRoots = await Promise.all(roots.map((root) => realpath(root).catch(() => root)));
  if (!realRoots.some((root) => isInside(root, real))) return `"${written}" links outside ${what}`;
  return null;
}
