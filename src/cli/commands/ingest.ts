import type { Command } from 'commander';
import * as z from 'zod';
// Leaf modules: defining the command loads nothing of ingest or the runner.
import { GROUP_BY } from '../../ingest/group-by.js';
import { newRunId, RUN_ID_PATTERN } from '../../runner/run-id.js';
import { printable } from '../../secrets/index.js';
import { UsageError } from '../errors.js';

const Flags = z.object({
  runId: z.string().regex(RUN_ID_PATTERN, 'letters, digits, . _ - (at most 128)').optional(),
  resultsDir: z.string().min(1),
  since: z.string().optional(),
  until: z.string().optional(),
  groupBy: z.enum(GROUP_BY, { message: `one of ${GROUP_BY.join(', ')}` }),
  pricing: z.string().optional(),
  json: z.boolean().default(false),
});

/** Warnings printed as they happen; the rest are counted (all are in run.json's `ingest`). */
const PRINTED_WARNINGS = 20;

export function registerIngestCommand(program: Command): void {
  program
    .command('ingest')
    .description(
      'read agent session logs (Codex rollouts, or the plain JSONL format of docs/ingest.md) into a run folder that report, inspect, history and compare read like any run',
    )
    .argument('<paths...>', 'log files, or folders searched for *.jsonl (e.g. ~/.codex/sessions)')
    .option('--run-id <id>', 'id of the run folder (default: a timestamp)')
    .option('--results-dir <dir>', 'where the run folder goes', 'results')
    .option('--since <date>', 'only requests from this day (YYYY-MM-DD, UTC) or ISO date-time on')
    .option('--until <date>', 'only requests up to this day (included) or before this ISO date-time')
    .option('--group-by <what>', `what one sample is: ${GROUP_BY.join(' | ')}`, 'session')
    .option('--pricing <file>', 'a pricing table that overrides or extends pricing.yaml')
    .option('--json', 'print one JSON object: run id, folder, counts, summary')
    .action(async (paths: string[], raw: Record<string, unknown>) => {
      const parsed = Flags.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const flag = String(issue?.path[0] ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
        throw new UsageError(`--${flag}: ${issue?.message ?? 'invalid'}`);
      }
      const flags = parsed.data;
      const { loadPricing } = await import('../../config/index.js');
      const { IngestInputError, ingestLogs, parseTimeRange, TimeRangeError } = await import(
        '../../ingest/index.js'
      );
      const { formatSummaryTable, summarizeRun } = await import('../../report/index.js');
      let range: ReturnType<typeof parseTimeRange>;
      try {
        range = parseTimeRange(flags.since, flags.until);
      } catch (error) {
        if (error instanceof TimeRangeError) throw new UsageError(error.message);
        throw error;
      }
      const pricing = await loadPricing(flags.pricing).catch((error: Error) => {
        throw new UsageError(error.message);
      });
      let printed = 0;
      const runId = flags.runId ?? newRunId();
      let result: Awaited<ReturnType<typeof ingestLogs>>;
      try {
        result = await ingestLogs({
          inputs: paths,
          runId,
          resultsDir: flags.resultsDir,
          groupBy: flags.groupBy,
          range,
          since: flags.since ?? null,
          until: flags.until ?? null,
          pricing,
          onWarning: (message) => {
            if (printed++ < PRINTED_WARNINGS) process.stderr.write(`warning: ${printable(message)}\n`);
          },
        });
      } catch (error) {
        if (
          error instanceof IngestInputError ||
          (error instanceof Error && (error.name === 'RunLockedError' || error.name === 'FolderError'))
        )
          throw new UsageError(error.message);
        throw error;
      }
      if (result.warnings > PRINTED_WARNINGS) {
        process.stderr.write(
          `warning: ... ${result.warnings - PRINTED_WARNINGS} more warnings (all listed in run.json, field ingest.warnings holds the first 100)\n`,
        );
      }
      const summary = await summarizeRun(result.runDir);
      const { stats } = result;
      if (flags.json) {
        process.stdout.write(
          `${JSON.stringify({
            run_id: result.runId,
            run_dir: result.runDir,
            files: result.files,
            sessions: stats.sessions,
            samples: stats.samples,
            turns: stats.turns,
            warnings: result.warnings,
            summary,
          })}\n`,
        );
        return;
      }
      process.stdout.write(formatSummaryTable(summary));
      process.stdout.write(
        `\ningested ${result.files} file(s): ${stats.sessions} session(s), ${stats.turns} request(s) into ${stats.samples} sample(s) (grouped by ${flags.groupBy}) in ${result.runDir}\n`,
      );
    });
}
