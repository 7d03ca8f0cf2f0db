import path from 'node:path';
/**
 * A problem in a file the user wrote (task.yaml, suite.yaml, a dataset). Its message is one line
 * that names the file, the position when known, and the field, e.g.
 * `tasks/demo/hello/task.yaml:7: limits.max_turns: expected number, received string`.
 */
export class ConfigError extends Error {
    name = 'ConfigError';
    file;
    field;
    line;
    col;
    column;
    detail;
    constructor(init) {
        const detail = oneLine(init.detail);
        super(formatConfigMessage({ ...init, detail }));
        this.file = init.file;
        this.field = init.field ?? null;
        this.detail = detail;
        if (init.line !== undefined)
            this.line = init.line;
        if (init.col !== undefined)
            this.col = init.col;
        if (init.column !== undefined)
            this.column = init.column;
    }
}
export function isConfigError(error) {
    return error instanceof ConfigError;
}
/** A path as the user would type it: relative to the working directory when below it. */
export function displayPath(file) {
    const rel = path.relative(process.cwd(), file);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
function formatConfigMessage(init) {
    let where = displayPath(init.file);
    if (init.line !== undefined) {
        where += `:${init.line}`;
        if (init.col !== undefined)
            where += `:${init.col}`;
    }
    const field = init.field ? `${init.field}: ` : '';
    const column = init.column !== undefined ? `column ${JSON.stringify(init.column)}: ` : '';
    return `${where}: ${field}${column}${init.detail}`;
}
function oneLine(text) {
    return text.replace(/\s*\r?\n\s*/g, ' ').trim();
}
//# sourceMappingURL=errors.js.map