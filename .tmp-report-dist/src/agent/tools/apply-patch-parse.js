/**
 * Parser for Codex's patch format:
 *
 *   *** Begin Patch
 *   *** Add File: path        then lines starting with `+`
 *   *** Delete File: path
 *   *** Update File: path     optionally `*** Move to: path`, then hunks:
 *   @@ [a line to find first]
 *    context / -removed / +added lines, optionally ending with `*** End of File`
 *   *** End Patch
 *
 * Pure: text in, operations out; throws PatchError with a message meant for the model.
 */
export class PatchError extends Error {
    name = 'PatchError';
}
/** Context and removed lines, in order: what must be found in the file. */
export function oldLinesOf(chunk) {
    return chunk.lines.filter((line) => line.kind !== 'add').map((line) => line.text);
}
/** Context and added lines, in order: what the file has after the hunk applies. */
export function newLinesOf(chunk) {
    return chunk.lines.filter((line) => line.kind !== 'remove').map((line) => line.text);
}
const BEGIN = '*** Begin Patch';
const END = '*** End Patch';
const ADD = '*** Add File:';
const DELETE = '*** Delete File:';
const UPDATE = '*** Update File:';
const MOVE = '*** Move to:';
const END_OF_FILE = '*** End of File';
const HEREDOC_START = /^(?:apply_patch\s+)?<<\s*['"]?([A-Za-z_]+)['"]?\s*$/;
export function parsePatch(text) {
    const lines = stripHeredoc(text
        .trim()
        .split('\n')
        .map((line) => line.replace(/\r$/, '')));
    if (lines[0]?.trim() !== BEGIN)
        throw new PatchError(`the first line of the patch must be '${BEGIN}'`);
    if (lines.length < 2 || lines.at(-1)?.trim() !== END) {
        throw new PatchError(`the last line of the patch must be '${END}'`);
    }
    const body = lines.slice(1, -1);
    const operations = [];
    let i = 0;
    while (i < body.length) {
        const header = (body[i] ?? '').trim();
        if (header === '') {
            i++;
            continue;
        }
        if (header.startsWith(ADD)) {
            const path = requirePath(header, ADD);
            i++;
            const content = [];
            while (i < body.length && body[i]?.startsWith('+')) {
                content.push((body[i] ?? '').slice(1));
                i++;
            }
            operations.push({ kind: 'add', path, content: content.map((line) => `${line}\n`).join('') });
        }
        else if (header.startsWith(DELETE)) {
            operations.push({ kind: 'delete', path: requirePath(header, DELETE) });
            i++;
        }
        else if (header.startsWith(UPDATE)) {
            const path = requirePath(header, UPDATE);
            i++;
            let moveTo = null;
            if (body[i]?.trim().startsWith(MOVE)) {
                moveTo = requirePath((body[i] ?? '').trim(), MOVE);
                i++;
            }
            const chunks = [];
            while (i < body.length && !isFileHeader(body[i] ?? '')) {
                if ((body[i] ?? '').trim() === '') {
                    i++;
                    continue;
                }
                const parsed = parseChunk(body, i, chunks.length === 0, path, chunks.length + 1);
                chunks.push(parsed.chunk);
                i = parsed.next;
            }
            if (chunks.length === 0)
                throw new PatchError(`the Update File section for '${path}' has no hunks`);
            operations.push({ kind: 'update', path, moveTo, chunks });
        }
        else if (operations.at(-1)?.kind === 'add' && !header.startsWith('*** ')) {
            const path = operations.at(-1)?.path;
            throw new PatchError(`every line of the Add File section for '${path}' must start with '+', got: '${header}'`);
        }
        else {
            throw new PatchError(`'${header}' is not a valid section header; expected '${ADD} <path>', '${DELETE} <path>' or '${UPDATE} <path>'`);
        }
    }
    if (operations.length === 0)
        throw new PatchError('the patch contains no file operations');
    return operations;
}
function parseChunk(lines, start, isFirst, path, hunkNumber) {
    let i = start;
    const first = lines[i] ?? '';
    let context = null;
    if (first.trimEnd() === '@@') {
        i++;
    }
    else if (first.startsWith('@@ ')) {
        context = first.slice(3);
        i++;
    }
    else if (!isFirst) {
        throw new PatchError(`hunk ${hunkNumber} of '${path}' must start with '@@', got: '${first}'`);
    }
    const chunk = { context, lines: [], isEndOfFile: false };
    for (; i < lines.length; i++) {
        const line = lines[i] ?? '';
        if (line.trim() === END_OF_FILE) {
            chunk.isEndOfFile = true;
            i++;
            break;
        }
        if (isFileHeader(line) || line.startsWith('@@'))
            break;
        const marker = line[0];
        if (line === '' || marker === ' ') {
            chunk.lines.push({ kind: 'context', text: line.slice(1) });
        }
        else if (marker === '-') {
            chunk.lines.push({ kind: 'remove', text: line.slice(1) });
        }
        else if (marker === '+') {
            chunk.lines.push({ kind: 'add', text: line.slice(1) });
        }
        else {
            throw new PatchError(`unexpected line in hunk ${hunkNumber} of '${path}': '${line}'; every line of a hunk starts with ` +
                `' ' (context), '-' (removed) or '+' (added)`);
        }
    }
    if (chunk.lines.length === 0)
        throw new PatchError(`hunk ${hunkNumber} of '${path}' has no lines`);
    return { chunk, next: i };
}
/** A line that starts the next file section (or ends the patch), as opposed to a hunk line. */
function isFileHeader(line) {
    const trimmed = line.trim();
    return (trimmed.startsWith(ADD) ||
        trimmed.startsWith(DELETE) ||
        trimmed.startsWith(UPDATE) ||
        trimmed === END ||
        (trimmed.startsWith('*** ') && trimmed !== END_OF_FILE && !line.startsWith(' ')));
}
function requirePath(header, prefix) {
    const path = header.slice(prefix.length).trim();
    if (!path)
        throw new PatchError(`'${header}' names no file`);
    return path;
}
/** Models sometimes wrap the patch in a shell heredoc (`<<'EOF'` ... `EOF`); accept that. */
function stripHeredoc(lines) {
    const tag = HEREDOC_START.exec(lines[0]?.trim() ?? '')?.[1];
    if (tag !== undefined && lines.length >= 2 && lines.at(-1)?.trim() === tag)
        return lines.slice(1, -1);
    return lines;
}
//# sourceMappingURL=apply-patch-parse.js.map