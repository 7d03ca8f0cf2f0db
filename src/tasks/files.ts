import type { Dirent } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, formatFieldPath, type TaskFile } from '../config/index.js';
import { isInside } from './confine.js';
import type { TaskWorkdirFile } from './types.js';

export interface FilesContext {
  /** The task.yaml, for error messages; it is never copied by a folder walk. */
  taskFile: string;
  taskDir: string;
  lineOf?: (path: readonly PropertyKey[]) => number | undefined;
  /** Files a folder walk leaves out besides task.yaml (e.g. the dataset), absolute. */
  exclude?: readonly string[];
  /** Files or folders a folder walk passes over quietly (a scorer's own files); naming one is fine. */
  hidden?: readonly string[];
  /** Reused across dataset rows so `from` entries are read once. */
  cache?: Map<string, TaskWorkdirFile[]>;
  /** Where the list sits in task.yaml, for error messages (default `files`). */
  field?: readonly (string | number)[];
}

/**
 * Resolve a task's `files` into the exact files to write into the working directory.
 * - `{ from, to }`: a file or folder relative to the task folder (it must stay inside it, symlinks
 *   included). A file goes to `to` (or to `to/<name>` when `to` is `.` or ends with `/`); a folder's
 *   contents go under `to`. File modes and bytes are kept as they are. A folder walk skips
 *   task.yaml and the dataset file; naming one, or a link (soft or hard) to one, is an error.
 *   A folder walk also leaves out what `hidden` names (a scorer's own files and folders): the
 *   agent gets those only if an entry names them.
 * - `{ path, content, mode }`: inline content.
 * Destinations are relative to the working directory and may not leave it. When two entries write
 * the same path, the later one wins.
 */
export async function resolveTaskFiles(
  files: readonly TaskFile[],
  ctx: FilesContext,
): Promise<TaskWorkdirFile[]> {
  const byPath = new Map<string, TaskWorkdirFile>();
  const put = (file: TaskWorkdirFile) => {
    byPath.delete(file.path);
    byPath.set(file.path, file);
  };
  for (const [index, entry] of files.entries()) {
    if ('from' in entry) {
      const key = `${entry.from}\0${entry.to}`;
      let resolved = ctx.cache?.get(key);
      if (!resolved) {
        resolved = await resolveFrom(entry.from, entry.to, index, ctx);
        ctx.cache?.set(key, resolved);
      }
      resolved.forEach(put);
    } else {
      const dest = workdirPath(entry.path, fail(ctx, index, 'path'));
      put({
        path: dest,
        content: Buffer.from(entry.content, 'utf8'),
        ...(entry.mode !== undefined ? { mode: entry.mode } : {}),
      });
    }
  }
  return [...byPath.values()];
}

type Fail = (detail: string) => never;

function fail(ctx: FilesContext, index: number, key: string): Fail {
  return (detail) => {
    const fieldPath = [...(ctx.field ?? ['files']), index, key];
    const line = ctx.lineOf?.(fieldPath);
    throw new ConfigError({
      file: ctx.taskFile,
      field: formatFieldPath(fieldPath),
      detail,
      ...(line !== undefined ? { line } : {}),
    });
  };
}

/**
 * Files that hold what grades the task (task.yaml: the scorer, a match scorer's expected answer;
 * the dataset: each row's expected values) and must never reach the agent's working directory,
 * by identity (device and inode): a symlink or a hard link to them is the same file.
 */
class GraderFiles {
  private constructor(
    private readonly byIdentity: Map<string, string>,
    private readonly realPaths: Set<string>,
  ) {}

  static async of(files: readonly string[]): Promise<GraderFiles> {
    const byIdentity = new Map<string, string>();
    const realPaths = new Set<string>();
    for (const file of files) {
      const info = await stat(file).catch(() => null);
      if (!info) continue;
      byIdentity.set(`${info.dev}:${info.ino}`, path.basename(file));
      realPaths.add(await realpath(file));
    }
    return new GraderFiles(byIdentity, realPaths);
  }

  /** The name of the grader file `info` is (through a link or not), or null. */
  nameOf(info: { dev: number; ino: number }): string | null {
    return this.byIdentity.get(`${info.dev}:${info.ino}`) ?? null;
  }

  /** Whether `real` is a grader file itself (a folder walk passes over it quietly). */
  isItself(real: string): boolean {
    return this.realPaths.has(real) || TASK_FILE_NAMES.has(path.basename(real));
  }
}

const TASK_FILE_NAMES = new Set(['task.yaml', 'task.yml']);

async function resolveFrom(
  from: string,
  to: string,
  index: number,
  ctx: FilesContext,
): Promise<TaskWorkdirFile[]> {
  const failFrom = fail(ctx, index, 'from');
  const failTo = fail(ctx, index, 'to');
  const destRoot = workdirPath(to, failTo, { allowRoot: true });
  const source = path.resolve(ctx.taskDir, from);
  if (!isInside(ctx.taskDir, source)) failFrom(`"${from}" is outside the task folder`);
  const realTaskDir = await realpath(ctx.taskDir);
  const realSource = await realpath(source).catch(() => failFrom(`no such file or folder "${from}"`));
  if (!isInside(realTaskDir, realSource)) failFrom(`"${from}" links outside the task folder`);
  const graders = await GraderFiles.of([ctx.taskFile, ...(ctx.exclude ?? [])]);
  const info = await stat(realSource);

  if (info.isFile()) {
    const grader = graders.nameOf(info);
    if (grader !== null || graders.isItself(realSource))
      failFrom(
        `"${from}" is ${grader ?? path.basename(realSource)}, which grades the task; it is never copied`,
      );
    const intoFolder = to === '.' || to.endsWith('/') || destRoot === '';
    const dest = intoFolder ? joinWorkdir(destRoot, path.basename(source)) : destRoot;
    return [{ path: dest, content: await readFile(realSource), mode: info.mode & 0o777 }];
  }
  if (!info.isDirectory()) failFrom(`"${from}" is neither a file nor a folder`);

  const hidden = await Promise.all((ctx.hidden ?? []).map((h) => realpath(h).catch(() => path.resolve(h))));
  const entries = await readdir(realSource, { recursive: true, withFileTypes: true });
  const out: TaskWorkdirFile[] = [];
  for (const entry of entries.sort(byPath)) {
    const absolute = path.join(entry.parentPath, entry.name);
    if (hidden.some((h) => isInside(h, absolute))) continue;
    const rel = path.relative(realSource, absolute).split(path.sep).join('/');
    let target = absolute;
    if (entry.isSymbolicLink()) {
      target = await realpath(absolute).catch(() => failFrom(`broken link "${rel}" in "${from}"`));
      if (!isInside(realTaskDir, target)) failFrom(`"${rel}" in "${from}" links outside the task folder`);
      const linked = await stat(target);
      if (linked.isDirectory())
        failFrom(`"${rel}" in "${from}" links to a folder; copy that folder directly`);
      if (!linked.isFile()) continue;
    } else if (!entry.isFile()) {
      continue;
    }
    const fileInfo = await stat(target);
    const grader = graders.nameOf(fileInfo);
    if (!entry.isSymbolicLink() && graders.isItself(absolute)) continue;
    if (grader !== null || graders.isItself(target))
      failFrom(
        `"${rel}" in "${from}" is a link to ${grader ?? path.basename(target)}, which grades the task`,
      );
    out.push({
      path: joinWorkdir(destRoot, rel),
      content: await readFile(target),
      mode: fileInfo.mode & 0o777,
    });
  }
  return out;
}

function byPath(a: Dirent, b: Dirent): number {
  const pa = path.join(a.parentPath, a.name);
  const pb = path.join(b.parentPath, b.name);
  return pa < pb ? -1 : pa > pb ? 1 : 0;
}

/** Normalise a destination inside the working directory; `''` is the working directory itself. */
export function workdirPath(raw: string, failWith: Fail, opts: { allowRoot?: boolean } = {}): string {
  const slashed = raw.replaceAll('\\', '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed)) {
    failWith(`"${raw}" must be relative to the working directory`);
  }
  const normal = path.posix.normalize(slashed).replace(/\/+$/, '');
  if (normal === '..' || normal.startsWith('../')) failWith(`"${raw}" leaves the working directory`);
  const result = normal === '.' ? '' : normal;
  if (result === '' && !opts.allowRoot) failWith(`"${raw}" names the working directory, not a file`);
  return result;
}

function joinWorkdir(root: string, rel: string): string {
  return root === '' ? rel : `${root}/${rel}`;
}
