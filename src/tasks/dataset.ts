import * as z from 'zod';
import { ConfigError, readUtf8File } from '../config/index.js';

export interface DatasetRow {
  /** 1-based line where the row ends (CSV) or the row's line (JSONL). */
  line: number;
  values: Record<string, string>;
}

export interface Dataset {
  file: string;
  /** Column names in file order (CSV header, or JSONL keys in order of first appearance). */
  columns: string[];
  rows: DatasetRow[];
}

/**
 * Column names for an error message, cut short: a header is the file's own content, and a file
 * that is not the dataset it was meant to be should not be quoted at length.
 */
export function describeColumns(columns: readonly string[]): string {
  const shown = columns.slice(0, 10).map((c) => (c.length > 40 ? `${c.slice(0, 40)}…` : c));
  return columns.length > shown.length
    ? `${shown.join(', ')}, … (${columns.length} in all)`
    : shown.join(', ');
}

/** Read a dataset: `.jsonl` (one JSON object per line) or anything else as CSV with a header row. */
export async function readDataset(file: string): Promise<Dataset> {
  const text = await readUtf8File(file, 'dataset');
  const dataset = file.toLowerCase().endsWith('.jsonl')
    ? parseJsonl(file, text)
    : // The CSV parser is loaded for a suite that has a CSV dataset, not for every run.
      parseCsv(file, text, (await import('csv-parse/sync')).parse);
  if (dataset.rows.length === 0) throw new ConfigError({ file, detail: 'dataset has no rows' });
  return dataset;
}

const CsvRecordsSchema = z.array(
  z.object({ record: z.record(z.string(), z.string()), info: z.object({ lines: z.number().int() }) }),
);

function parseCsv(file: string, text: string, parse: typeof import('csv-parse/sync').parse): Dataset {
  let header: string[] = [];
  let records: unknown;
  try {
    records = parse(text, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      columns: (names: string[]) => {
        header = names;
        return names;
      },
    });
  } catch (error) {
    throw csvError(file, error, header);
  }
  checkHeader(file, header);
  const rows = CsvRecordsSchema.parse(records).map(({ record, info }) => ({
    line: info.lines,
    values: record,
  }));
  return { file, columns: header, rows };
}

function checkHeader(file: string, header: string[]): void {
  const seen = new Set<string>();
  header.forEach((name, index) => {
    if (name.trim() === '') {
      throw new ConfigError({ file, line: 1, detail: `header column ${index + 1} has no name` });
    }
    if (seen.has(name))
      throw new ConfigError({ file, line: 1, column: name, detail: 'duplicate column name' });
    seen.add(name);
  });
}

const CsvErrorShape = z.object({
  code: z.string(),
  message: z.string(),
  lines: z.number().int().optional(),
  column: z.union([z.string(), z.number(), z.null()]).optional(),
  record: z.array(z.string()).optional(),
});

function csvError(file: string, error: unknown, header: string[]): ConfigError {
  const shape = CsvErrorShape.safeParse(error);
  if (!shape.success) {
    return new ConfigError({ file, detail: error instanceof Error ? error.message : String(error) });
  }
  const { code, message, lines, column, record } = shape.data;
  const at = lines !== undefined ? { line: lines } : {};
  if (code === 'CSV_RECORD_INCONSISTENT_COLUMNS' && record) {
    const expected = `expected ${header.length} columns (${describeColumns(header)}), got ${record.length}`;
    const missing = header[record.length];
    return new ConfigError({
      file,
      ...at,
      ...(missing !== undefined ? { column: missing } : {}),
      detail: expected,
    });
  }
  const detail = message.replace(/:? at line \d+\b/, '').replace(/ on line \d+\b/, '');
  return new ConfigError({ file, ...at, ...(typeof column === 'string' ? { column } : {}), detail });
}

const JsonlRowSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

function parseJsonl(file: string, text: string): Dataset {
  const columns = new Set<string>();
  const rows: DatasetRow[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new ConfigError({
        file,
        line,
        detail: `invalid JSON (${error instanceof Error ? error.message : error})`,
      });
    }
    const parsed = JsonlRowSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const key = issue?.path[0];
      throw new ConfigError({
        file,
        line,
        ...(typeof key === 'string' ? { column: key } : {}),
        detail:
          typeof key === 'string'
            ? 'values must be strings, numbers or booleans'
            : 'each line must be a JSON object of column values',
      });
    }
    const values: Record<string, string> = {};
    for (const [key, v] of Object.entries(parsed.data)) {
      values[key] = String(v);
      columns.add(key);
    }
    rows.push({ line, values });
  });
  return { file, columns: [...columns], rows };
}
