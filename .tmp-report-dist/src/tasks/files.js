import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../config/index.js';
/**
 * Resolve a task's `files` into the exact files to write into the working directory.
 * - `{ from, to }`: a file or folder relative to the task folder (it must stay inside it, symlinks
 *   included). A file goes to `to` (or to `to/<name>` when `to` is `.` or ends with `/`); a folder's
 *   contents go under `to`. File modes are kept. A folder walk skips task.yaml and the dataset file.
 * - `{ path, content, mode }`: inline content.
 * Destinations are relative to the working directory and may not leave it. When two entries write
 * the same path, the later one wins.
 */
export async function resolveTaskFiles(files, ctx) {
    const byPath = new Map();
    const put = (file) => {
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
        }
        else {
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
function fail(ctx, index, key) {
    return (detail) => {
        const fieldPath = ['files', index, key];
        const line = ctx.lineOf?.(fieldPath);
        throw new ConfigError({
            file: ctx.taskFile,
            field: `files[${index}].${key}`,
            detail,
            ...(line !== undefined ? { line } : {}),
        });
    };
}
async function resolveFrom(from, to, index, ctx) {
    const failFrom = fail(ctx, index, 'from');
    const failTo = fail(ctx, index, 'to');
    const destRoot = workdirPath(to, failTo, { allowRoot: true });
    const source = path.resolve(ctx.taskDir, from);
    if (!isInside(ctx.taskDir, source))
        failFrom(`"${from}" is outside the task folder`);
    const realTaskDir = await realpath(ctx.taskDir);
    const realSource = await realpath(source).catch(() => failFrom(`no such file or folder "${from}"`));
    if (!isInside(realTaskDir, realSource))
        failFrom(`"${from}" links outside the task folder`);
    const info = await stat(realSource);
    if (info.isFile()) {
        const intoFolder = to === '.' || to.endsWith('/') || destRoot === '';
        const dest = intoFolder ? joinWorkdir(destRoot, path.basename(source)) : destRoot;
        return [{ path: dest, content: await readFile(realSource), mode: info.mode & 0o777 }];
    }
    if (!info.isDirectory())
        failFrom(`"${from}" is neither a file nor a folder`);
    const skip = new Set([ctx.taskFile, ...(ctx.exclude ?? [])].map((f) => path.resolve(f)));
    const entries = await readdir(source, { recursive: true, withFileTypes: true });
    const out = [];
    for (const entry of entries.sort(byPath)) {
        const absolute = path.join(entry.parentPath, entry.name);
        if (skip.has(absolute))
            continue;
        const rel = path.relative(source, absolute).split(path.sep).join('/');
        let target = absolute;
        if (entry.isSymbolicLink()) {
            target = await realpath(absolute).catch(() => failFrom(`broken link "${rel}" in "${from}"`));
            if (!isInside(realTaskDir, target))
                failFrom(`"${rel}" in "${from}" links outside the task folder`);
            const linked = await stat(target);
            if (linked.isDirectory())
                failFrom(`"${rel}" in "${from}" links to a folder; copy that folder directly`);
            if (!linked.isFile())
                continue;
        }
        else if (!entry.isFile()) {
            continue;
        }
        const fileInfo = await stat(target);
        out.push({
            path: joinWorkdir(destRoot, rel),
            content: await readFile(target),
            mode: fileInfo.mode & 0o777,
        });
    }
    return out;
}
function byPath(a, b) {
    const pa = path.join(a.parentPath, a.name);
    const pb = path.join(b.parentPath, b.name);
    return pa < pb ? -1 : pa > pb ? 1 : 0;
}
/** Normalise a destination inside the working directory; `''` is the working directory itself. */
export function workdirPath(raw, failWith, opts = {}) {
    const slashed = raw.replaceAll('\\', '/');
    if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed)) {
        failWith(`"${raw}" must be relative to the working directory`);
    }
    const normal = path.posix.normalize(slashed).replace(/\/+$/, '');
    if (normal === '..' || normal.startsWith('../'))
        failWith(`"${raw}" leaves the working directory`);
    const result = normal === '.' ? '' : normal;
    if (result === '' && !opts.allowRoot)
        failWith(`"${raw}" names the working directory, not a file`);
    return result;
}
function joinWorkdir(root, rel) {
    return root === '' ? rel : `${root}/${rel}`;
}
function isInside(root, candidate) {
    const rel = path.relative(root, candidate);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
//# sourceMappingURL=files.js.map