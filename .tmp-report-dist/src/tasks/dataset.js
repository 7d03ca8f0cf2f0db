import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { ConfigError } from '../config/index.js';
/** Read a dataset: `.jsonl` (one JSON object per line) or anything else as CSV with a header row. */
export async function readDataset(file) {
    let text;
    try {
        text = await readFile(file, 'utf8');
    }
    catch (error) {
        const code = error instanceof Error && 'code' in error ? String(error.code) : String(error);
        throw new ConfigError({ file, detail: `cannot read dataset (${code})` });
    }
    const dataset = file.toLowerCase().endsWith('.jsonl') ? parseJsonl(file, text) : parseCsv(file, text);
    if (dataset.rows.length === 0)
        throw new ConfigError({ file, detail: 'dataset has no rows' });
    return dataset;
}
const CsvRecordsSchema = z.array(z.object({ record: z.record(z.string(), z.string()), info: z.object({ lines: z.number().int() }) }));
function parseCsv(file, text) {
    let header = [];
    let records;
    try {
        records = parse(text, {
            bom: true,
            info: true,
            skip_empty_lines: true,
            columns: (names) => {
                header = names;
                return names;
            },
        });
    }
    catch (error) {
        throw csvError(file, error, header);
    }
    checkHeader(file, header);
    const rows = CsvRecordsSchema.parse(records).map(({ record, info }) => ({
        line: info.lines,
        values: record,
    }));
    return { file, columns: header, rows };
}
function checkHeader(file, header) {
    const seen = new Set();
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
function csvError(file, error, header) {
    const shape = CsvErrorShape.safeParse(error);
    if (!shape.success) {
        return new ConfigError({ file, detail: error instanceof Error ? error.message : String(error) });
    }
    const { code, message, lines, column, record } = shape.data;
    const at = lines !== undefined ? { line: lines } : {};
    if (code === 'CSV_RECORD_INCONSISTENT_COLUMNS' && record) {
        const expected = `expected ${header.length} columns (${header.join(', ')}), got ${record.length}`;
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
function parseJsonl(file, text) {
    const columns = new Set();
    const rows = [];
    text.split(/\r?\n/).forEach((raw, index) => {
        const line = index + 1;
        if (raw.trim() === '')
            return;
        let value;
        try {
            value = JSON.parse(raw);
        }
        catch (error) {
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
                detail: typeof key === 'string'
                    ? 'values must be strings, numbers or booleans'
                    : 'each line must be a JSON object of column values',
            });
        }
        const values = {};
        for (const [key, v] of Object.entries(parsed.data)) {
            values[key] = String(v);
            columns.add(key);
        }
        rows.push({ line, values });
    });
    return { file, columns: [...columns], rows };
}
//# sourceMappingURL=dataset.js.map