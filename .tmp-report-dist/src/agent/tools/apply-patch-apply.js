/**
 * Applies parsed patch operations to an in-memory view of the files. Pure: every hunk of every file
 * is checked before any change is returned, so a patch either applies completely or not at all.
 */
import { posix } from 'node:path';
import { newLinesOf, oldLinesOf, PatchError, } from './apply-patch-parse.js';
/** How paths are compared and used: `./a/../b.txt` and `b.txt` are the same file. */
export function normalizePatchPath(path) {
    const normalized = posix.normalize(path.replaceAll('\\', '/'));
    return normalized.length > 1 ? normalized.replace(/\/$/, '') : normalized;
}
/** Paths whose current content the patch needs (files it updates, moves or deletes). */
export function pathsToRead(operations) {
    const paths = operations.filter((op) => op.kind !== 'add').map((op) => normalizePatchPath(op.path));
    return [...new Set(paths)];
}
/**
 * @param files current content by normalized path; null (or absent) means the file does not exist.
 */
export function applyPatch(operations, files) {
    const state = new Map();
    const read = (path) => (state.has(path) ? state.get(path) : files.get(path)) ?? null;
    const summary = [];
    for (const op of operations) {
        const path = normalizePatchPath(op.path);
        if (op.kind === 'add') {
            state.set(path, op.content);
            summary.push(`A ${path}`);
            continue;
        }
        const current = read(path);
        if (current === null) {
            throw new PatchError(`cannot ${op.kind} '${path}': the file does not exist`);
        }
        if (op.kind === 'delete') {
            state.set(path, null);
            summary.push(`D ${path}`);
            continue;
        }
        const updated = applyChunks(path, current, op.chunks);
        if (op.moveTo !== null && normalizePatchPath(op.moveTo) !== path) {
            const target = normalizePatchPath(op.moveTo);
            state.set(target, updated);
            state.set(path, null);
            summary.push(`M ${target}`);
        }
        else {
            state.set(path, updated);
            summary.push(`M ${path}`);
        }
    }
    const writes = [];
    const deletes = [];
    for (const [path, content] of state) {
        if (content !== null)
            writes.push({ kind: 'write', path, content });
        else if (files.get(path) != null)
            deletes.push({ kind: 'delete', path });
    }
    return { changes: [...writes, ...deletes], summary };
}
/** Apply one file's hunks to its content; the result always ends with a newline (as Codex does). */
export function applyChunks(path, content, chunks) {
    const lines = content.split('\n');
    if (lines.at(-1) === '')
        lines.pop();
    const replacements = [];
    let cursor = 0;
    chunks.forEach((chunk, index) => {
        const label = hunkLabel(path, index + 1, chunk);
        if (chunk.context !== null) {
            const at = seekSequence(lines, [chunk.context], cursor, false);
            if (at === -1) {
                throw new PatchError(`${label} did not apply: the context line '${chunk.context}' was not found` +
                    (cursor > 0 ? ` after line ${cursor}` : ''));
            }
            cursor = at + 1;
        }
        let hunk = chunk.lines;
        if (!hunk.some((line) => line.kind !== 'add')) {
            // Pure addition: after the `@@` context line if there is one, else at the end of the file.
            const start = chunk.context !== null ? cursor : lines.length;
            replacements.push({ start, remove: 0, insert: newLinesOf(chunk) });
            return;
        }
        let at = seekSequence(lines, oldLines(hunk), cursor, chunk.isEndOfFile);
        const lastLine = hunk.at(-1);
        if (at === -1 && lastLine?.kind === 'context' && lastLine.text === '') {
            // A trailing blank context line is often an artefact of the blank line between hunks.
            hunk = hunk.slice(0, -1);
            const pattern = oldLines(hunk);
            at = pattern.length > 0 ? seekSequence(lines, pattern, cursor, chunk.isEndOfFile) : -1;
        }
        if (at === -1) {
            throw new PatchError(`${label} did not apply: these lines were not found in the file` +
                (cursor > 0 ? ` after line ${cursor}` : '') +
                `:\n${oldLinesOf(chunk).join('\n')}`);
        }
        const { insert, removed } = rewrite(lines, at, hunk);
        replacements.push({ start: at, remove: removed, insert });
        cursor = at + removed;
    });
    replacements.sort((a, b) => a.start - b.start);
    for (const { start, remove, insert } of replacements.reverse()) {
        lines.splice(start, remove, ...insert);
    }
    return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
function oldLines(hunk) {
    return hunk.filter((line) => line.kind !== 'add').map((line) => line.text);
}
/**
 * The lines replacing the matched region starting at `at`. Context lines keep the file's own text,
 * so a match that ignored whitespace does not rewrite the whitespace of untouched lines.
 */
function rewrite(lines, at, hunk) {
    const insert = [];
    let removed = 0;
    for (const line of hunk) {
        if (line.kind === 'add') {
            insert.push(line.text);
            continue;
        }
        if (line.kind === 'context')
            insert.push(lines[at + removed] ?? line.text);
        removed++;
    }
    return { insert, removed };
}
function hunkLabel(path, number, chunk) {
    const header = chunk.context !== null ? ` (@@ ${chunk.context})` : '';
    return `hunk ${number}${header} of '${path}'`;
}
/** Exact first, then ignoring trailing whitespace, then ignoring whitespace at both ends. */
const COMPARATORS = [
    (a, b) => a === b,
    (a, b) => a.trimEnd() === b.trimEnd(),
    (a, b) => a.trim() === b.trim(),
];
/**
 * Index of the first occurrence of `pattern` in `lines` at or after `start`, or -1. With `atEnd`,
 * a match ending on the last line is tried first.
 */
export function seekSequence(lines, pattern, start, atEnd) {
    if (pattern.length === 0)
        return start;
    const last = lines.length - pattern.length;
    if (last < 0)
        return -1;
    for (const same of COMPARATORS) {
        const matchesAt = (i) => pattern.every((line, k) => same(lines[i + k] ?? '', line));
        if (atEnd && last >= start && matchesAt(last))
            return last;
        for (let i = start; i <= last; i++) {
            if (matchesAt(i))
                return i;
        }
    }
    return -1;
}
//# sourceMappingURL=apply-patch-apply.js.map