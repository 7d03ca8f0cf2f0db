import path from 'node:path';

export interface ConfigErrorInit {
  /** The file at fault (absolute or relative to the working directory). */
  file: string;
  /** Dotted field path inside the file (`limits.max_turns`, `files[2].from`), or null for the whole file. */
  field?: string | null;
  /** What is wrong, one line, without the location. */
  detail: string;
  /** 1-based line in the file, when known. */
  line?: number;
  /** 1-based character column, when known (YAML syntax errors). */
  col?: number;
  /** Name of the dataset column at fault (CSV/JSONL rows). */
  column?: string;
}

/**
 * A problem in a file the user wrote (task.yaml, suite.yaml, a dataset). Its message is one line
 * that names the file, the position when known, and the field, e.g.
 * `tasks/demo/hello/task.yaml:7: limits.max_turns: expected number, received string`.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly file: string;
  readonly field: string | null;
  readonly line?: number;
  readonly col?: number;
  readonly column?: string;
  readonly detail: string;

  constructor(init: ConfigErrorInit) {
    const detail = oneLine(init.detail);
    super(formatConfigMessage({ ...init, detail }));
    this.file = init.file;
    this.field = init.field ?? null;
    this.detail = detail;
    if (init.line !== undefined) this.line = init.line;
    if (init.col !== undefined) this.col = init.col;
    if (init.column !== undefined) this.column = init.column;
  }
}

export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof ConfigError;
}

/** A path as the user would type it: relative to the working directory when below it. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function formatConfigMessage(init: ConfigErrorInit): string {
  let where = displayPath(init.file);
  if (init.line !== undefined) {
    where += `:${init.line}`;
    if (init.col !== undefined) where += `:${init.col}`;
  }
  const field = init.field ? `${init.field}: ` : '';
  const column = init.column !== undefined ? `column ${JSON.stringify(init.column)}: ` : '';
  return `${where}: ${field}${column}${init.detail}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').trim();
}
