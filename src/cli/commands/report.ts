import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import type { Pricing } from '../../config/index.js';
import { UsageError } from '../errors.js';
import { positiveIntArg } from '../options.js';

const ReportFlags = z.object({
  resultsDir: z.string().min(1),
  outDir: z.string().min(1).optional(),
  history: z.boolean().default(false),
  maxDrilldownTurns: z.number().int().positive().optional(),
  junit: z.string().min(1).optional(),
  pricing: z.string().min(1).optional(),
  json: z.boolean().default(false),
});

/** A pricing file from the command line: a bad one is a usage error naming the file and field. */
async function pricingArg(file: string): Promise<Pricing> {
  const { loadPricing } = await import('../../config/index.js');
  try {
    return await loadPricing(file);
  } catch (error) {
    throw new UsageError(`--pricing: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A run id or folder from the command line; a missing run is a usage error (exit 2), not a failure. */
export async function resolveRunArg(run: string, resultsDir: string): Promise<string> {
  const { RunNotFoundError, resolveRunDir } = await import('../../report/index.js');
  try {
    return resolveRunDir(run, resultsDir);
  } catch (error) {
    if (error instanceof RunNotFoundError) throw new UsageError(error.message);
    throw error;
  }
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('write report.md, report.html, samples.csv and turns.csv for a run')
    .argument('<run>', 'a run id under --results-dir, or a run folder')
    .option('--results-dir <dir>', 'where run folders are', 'results')
    .option('--out-dir <dir>', 'write the report files here instead of the run folder')
    .option('--history', 'include the trend of the other runs in the results directory in the HTML')
    .option(
      '--max-drilldown-turns <n>',
      'turns kept for the HTML drill-down (large runs keep a selection)',
      positiveIntArg('--max-drilldown-turns'),
    )
    .option(
      '--pricing <file>',
      'recompute every cost from the recorded usage with these prices (over the shipped pricing.yaml)',
    )
    .option(
      '--junit <file>',
      'also write JUnit XML: one test case per sample (failures carry the scorer message)',
    )
    .option('--json', 'print the written file paths and the summary as one JSON object')
    .action(async (run: string, raw: Record<string, unknown>) => {
      const flags = ReportFlags.parse(raw);
      const { formatSummaryTable, renderRunJunit, repriceRun, writeJunit, writeReport } = await import(
        '../../report/index.js'
      );
      const runDir = await resolveRunArg(run, flags.resultsDir);
      // A report only reads the run's records (and writes its own files), so a live run may be
      // reported; say that it is a snapshot.
      const { liveRunOwner } = await import('../../runner/index.js');
      const owner = liveRunOwner(runDir);
      if (owner)
        process.stderr.write(
          `note: the run is still being written by \`${owner.command}\` (pid ${owner.pid}); this report is a snapshot\n`,
        );
      const repricing = flags.pricing ? await repriceRun(runDir, await pricingArg(flags.pricing)) : undefined;
      const { files, data } = await writeReport(runDir, {
        ...(repricing ? { repricing } : {}),
        history: flags.history,
        ...(flags.outDir ? { outDir: resolve(flags.outDir) } : {}),
        ...(flags.maxDrilldownTurns ? { maxDrilldownTurns: flags.maxDrilldownTurns } : {}),
      });
      const junit = flags.junit ? resolve(flags.junit) : null;
      if (junit) await writeJunit(junit, await renderRunJunit(runDir, repricing));
      if (flags.json) {
        process.stdout.write(
          `${JSON.stringify({ files: { ...files, ...(junit ? { junit } : {}) }, summary: data.summary })}\n`,
        );
        return;
      }
      process.stdout.write(formatSummaryTable(data.summary));
      process.stdout.write(
        `\nwrote ${files.markdown}\n      ${files.html}\n      ${files.samplesCsv}\n      ${files.turnsCsv}\n`,
      );
      if (junit) process.stdout.write(`      ${junit}\n`);
    });
}
