import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify';
import { redact } from '../secrets/index.js';
import { TurnRecordSchema } from '../telemetry/index.js';
import type { SampleRow } from './aggregate.js';
import { writeAtomically } from './atomic-file.js';
import { readJsonl } from './jsonl.js';
import type { Repricing } from './reprice.js';
import { RUN_FILES } from './run-dir.js';

export const SAMPLE_COLUMNS = [
  'sample_id',
  'task_id',
  'variant',
  'epoch',
  'status',
  'passed',
  'turns',
  'input_tokens',
  'cached_tokens',
  'cache_hit_rate',
  'cache_write_tokens',
  'output_tokens',
  'bytes_sent',
  'compactions',
  'cache_breaks',
  'cost_usd',
  'wall_ms',
  'error',
] as const satisfies readonly (keyof SampleRow)[];

export const TURN_COLUMNS = [
  'run_id',
  'sample_id',
  'task_id',
  'variant',
  'epoch',
  'turn',
  'kind',
  'started_at',
  'model',
  'input_tokens',
  'cached_tokens',
  'cache_write_tokens',
  'cache_write_12h_tokens',
  'output_tokens',
  'reasoning_tokens',
  'cache_hit_rate',
  'bytes_sent',
  'item_count',
  'latency_ms',
  'ttft_ms',
  'cache_class',
  'extends_previous',
  'reason',
  'diverged_at',
  'lost_tokens',
  'expected_cached_tokens',
  'after_compaction',
  'tool_calls',
  'retries',
  'cost_usd',
] as const;

type Cell = string | number | boolean | null;
type Push = (row: Cell[]) => Promise<void> | undefined;

const redactCell = (cell: Cell): Cell => (typeof cell === 'string' ? redact(cell) : cell);

/**
 * A text cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a leading
 * `'`: error messages and model names can carry a provider's or a task's text (OWASP CSV injection).
 */
export const inertCell = (text: string): string => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

/**
 * Writes rows through csv-stringify to `file` (whole or not at all), honouring back-pressure;
 * unknown values are empty cells.
 */
async function writeCsv(
  file: string,
  columns: readonly string[],
  produce: (push: Push) => Promise<void>,
): Promise<number> {
  let rows = 0;
  await writeAtomically(file, async (temp) => {
    const out = createWriteStream(temp);
    const csv = stringify({
      header: true,
      columns: [...columns],
      cast: { boolean: (b) => (b ? 'true' : 'false'), string: inertCell },
    });
    csv.pipe(out);
    try {
      await produce((row) => {
        rows++;
        return csv.write(row) ? undefined : once(csv, 'drain').then(() => undefined);
      });
      csv.end();
      await once(out, 'finish');
    } catch (error) {
      out.destroy();
      throw error;
    }
  });
  return rows;
}

export async function writeSamplesCsv(file: string, samples: readonly SampleRow[]): Promise<number> {
  return writeCsv(file, SAMPLE_COLUMNS, async (push) => {
    // free text (errors, score details) is redacted; turns.csv holds only ids, counts and codes
    for (const s of samples) await push(SAMPLE_COLUMNS.map((c) => redactCell(s[c])));
  });
}

/** Streams turns.jsonl into turns.csv without holding the turns in memory. */
export async function writeTurnsCsv(
  file: string,
  runDir: string,
  repricing?: Pick<Repricing, 'turn'>,
): Promise<number> {
  return writeCsv(file, TURN_COLUMNS, async (push) => {
    await readJsonl(join(runDir, RUN_FILES.turns), TurnRecordSchema, (record) => {
      const t = repricing ? repricing.turn(record) : record;
      return push([
        t.run_id,
        t.sample_id,
        t.task_id,
        t.variant,
        t.epoch,
        t.turn,
        t.kind,
        t.started_at,
        t.model,
        t.input_tokens,
        t.cached_tokens,
        t.cache_write_tokens,
        t.cache_write_12h_tokens,
        t.output_tokens,
        t.reasoning_tokens,
        t.cache_hit_rate,
        t.bytes_sent,
        t.item_count,
        t.latency_ms,
        t.ttft_ms,
        t.cache_class,
        t.prefix.extends_previous,
        t.prefix.reason,
        t.prefix.diverged_at,
        t.prefix.lost_tokens,
        t.expected_cached_tokens,
        t.after_compaction,
        t.tool_calls,
        t.retries,
        t.cost_usd,
      ]);
    });
  });
}
