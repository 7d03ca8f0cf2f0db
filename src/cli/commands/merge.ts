import { resolve } from 'node:path';
import type { Command } from 'commander';
import * as z from 'zod';
import { parseOptions } from '../../config/parse-once.js';
// A leaf module: defining the command loads nothing of the runner.
import { newRunId, RUN_ID_PATTERN } from '../../runner/run-id.js';
import { UsageError } from '../errors.js';

const Flags = z.object({
  runId: z.string().regex(RUN_ID_PATTERN).optional(),
  resultsDir: z.string().min(1),
  json: z.boolean().default(false),
});

export function registerMergeCommand(program: Command): void {
  program
    .command('merge')
    .description('join shard runs (`run --shard i/n`) into one run folder')
    .argument('<runs...>', 'shard run ids (under --results-dir) or run folders')
    .option('--run-id <id>', 'id of the merged run (default: a timestamp)')
    .option('--results-dir <dir>', 'where run folders are, and where the merged run goes', 'results')
    .option('--json', 'print the merged run as one JSON object')
    .action(async (runs: string[], raw: Record<string, unknown>) => {
      const flags = Flags.parse(raw, parseOptions(Flags));
      const { resolveRunDir } = await import('../../report/index.js');
      const { MergeError, mergeRuns } = await import('../../runner/index.js');
      const dirs = runs.map((r) => resolveRunDir(r, flags.resultsDir));
      const runId = flags.runId ?? newRunId();
      try {
        const merged = await mergeRuns(dirs, resolve(flags.resultsDir, runId), runId);
        if (flags.json) {
          process.stdout.write(
            `${JSON.stringify({ run_id: runId, run_dir: merged.runDir, samples: merged.samples, status: merged.manifest.status })}\n`,
          );
        } else {
          process.stdout.write(
            `merged ${dirs.length} runs (${merged.samples} samples, ${merged.manifest.status}) into ${merged.runDir}\n`,
          );
        }
      } catch (error) {
        if (error instanceof MergeError || (error instanceof Error && error.name === 'RunLockedError'))
          throw new UsageError(error.message);
        throw error;
      }
    });
}
