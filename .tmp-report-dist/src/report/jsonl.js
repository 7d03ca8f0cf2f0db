import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
/**
 * Streams a JSONL file line by line (bounded memory), validating each line with `schema`.
 * Bad lines are skipped and counted, never thrown: a crash may leave the last line torn.
 * A missing file reads as empty.
 */
export async function readJsonl(file, schema, onRecord) {
    const result = { lines: 0, skipped: 0 };
    if (!existsSync(file))
        return result;
    const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const line of lines) {
        if (line.trim() === '')
            continue;
        result.lines++;
        let raw;
        try {
            raw = JSON.parse(line);
        }
        catch {
            result.skipped++;
            continue;
        }
        const parsed = schema.safeParse(raw);
        if (!parsed.success) {
            result.skipped++;
            continue;
        }
        // A promise from onRecord is awaited, so a slow consumer (a file write) applies back-pressure.
        const pending = onRecord(parsed.data);
        if (pending)
            await pending;
    }
    return result;
}
//# sourceMappingURL=jsonl.js.map