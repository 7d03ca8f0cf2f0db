import type { Command } from 'commander';
import * as z from 'zod';
import { parseOptions } from '../../config/parse-once.js';
import { UsageError } from '../errors.js';

const HistoryFlags = z.object({
  resultsDir: z.string().min(1),
  json: z.boolean().default(false),
});

export function registerHistoryCommand(program: Command): void {
  program
    .command('history')
    .description(
      'list the runs in a results directory with their key metrics and trends (a run whose process died shows as crashed)',
    )
    .option('--results-dir <dir>', 'where run folders are', 'results')
    .option('--json', 'print one JSON object: { runs: [...] }')
    .action(async (raw: Record<string, unknown>) => {
      const flags = HistoryFlags.parse(raw, parseOptions(HistoryFlags));
      const { formatHistory, listRuns, RunNotFoundError } = await import('../../report/index.js');
      const { runs, skipped } = await listRuns(flags.resultsDir).catch((error: unknown) => {
        throw error instanceof RunNotFoundError ? new UsageError(error.message) : error;
      });
      for (const s of skipped) process.stderr.write(`warning: skipped ${s}\n`);
      if (flags.json) process.stdout.write(`${JSON.stringify({ results_dir: flags.resultsDir, runs })}\n`);
      else process.stdout.write(formatHistory(runs));
    });
}
