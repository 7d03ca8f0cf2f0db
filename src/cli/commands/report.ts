import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import * as z from 'zod';
import type { Pricing } from '../../config/index.js';
import { parseOptions } from '../../config/parse-once.js';
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
    .description(
      'write report.md, report.html, samples.csv and turns.csv for a run (of a run still in progress: a partial report, marked so, into <run>/partial-report/)',
    )
    .argument('<run>', 'a run id under --results-dir, or a run folder')
    .option('--results-dir <dir>', 'where run folders are', 'results')
    .option(
      '--out-dir <dir>',
      'write the report files here instead of the run folder (or, for a run still in progress, instead of <run>/partial-report/)',
    )
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
      const flags = ReportFlags.parse(raw, parseOptions(ReportFlags));
      const {
        describeInProgress,
        formatSummaryTable,
        PARTIAL_REPORT_DIR,
        renderRunJunit,
        repriceRun,
        writeJunit,
        writeReport,
      } = await import('../../report/index.js');
      const runDir = await resolveRunArg(run, flags.resultsDir);
      // A report only reads the run's records, so a run another process still writes may be
      // reported: its figures are partial, and it goes where the run's own report never stands.
      const { liveRunOwner } = await import('../../runner/index.js');
      const owner = liveRunOwner(runDir);
      const outDir = flags.outDir
        ? resolve(flags.outDir)
        : owner
          ? join(runDir, PARTIAL_REPORT_DIR)
          : undefined;
      const repricing = flags.pricing ? await repriceRun(runDir, await pricingArg(flags.pricing)) : undefined;
      const { files, data } = await writeReport(runDir, {
        ...(repricing ? { repricing } : {}),
        history: flags.history,
        ...(outDir ? { outDir } : {}),
        ...(flags.maxDrilldownTurns ? { maxDrilldownTurns: flags.maxDrilldownTurns } : {}),
        ...(owner ? { writer: { command: owner.command, pid: owner.pid } } : {}),
      });
      const junit = flags.junit ? resolve(flags.junit) : null;
      if (junit) await writeJunit(junit, await renderRunJunit(runDir, repricing));
      const inProgress = data.in_progress ?? null;
      if (inProgress)
        process.stderr.write(
          `note: partial report: ${describeInProgress(inProgress)}; written to ${dirname(files.markdown)}; \`turnbench report\` once the run has ended writes the full one\n`,
        );
      if (flags.json) {
        process.stdout.write(
          `${JSON.stringify({ files: { ...files, ...(junit ? { junit } : {}) }, summary: data.summary, in_progress: inProgress })}\n`,
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
