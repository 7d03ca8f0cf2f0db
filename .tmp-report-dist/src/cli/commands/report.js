import { resolve } from 'node:path';
import { z } from 'zod';
import { formatSummaryTable, RunNotFoundError, resolveRunDir, writeReport } from '../../report/index.js';
import { UsageError } from '../errors.js';
import { positiveIntArg } from '../options.js';
const ReportFlags = z.object({
    resultsDir: z.string().min(1),
    outDir: z.string().min(1).optional(),
    history: z.boolean().default(false),
    maxDrilldownTurns: z.number().int().positive().optional(),
    json: z.boolean().default(false),
});
/** A run id or folder from the command line; a missing run is a usage error (exit 2), not a failure. */
export function resolveRunArg(run, resultsDir) {
    try {
        return resolveRunDir(run, resultsDir);
    }
    catch (error) {
        if (error instanceof RunNotFoundError)
            throw new UsageError(error.message);
        throw error;
    }
}
export function registerReportCommand(program) {
    program
        .command('report')
        .description('write report.md, report.html, samples.csv and turns.csv for a run')
        .argument('<run>', 'a run id under --results-dir, or a run folder')
        .option('--results-dir <dir>', 'where run folders are', 'results')
        .option('--out-dir <dir>', 'write the report files here instead of the run folder')
        .option('--history', 'include the trend of the other runs in the results directory in the HTML')
        .option('--max-drilldown-turns <n>', 'turns kept for the HTML drill-down (large runs keep a selection)', positiveIntArg('--max-drilldown-turns'))
        .option('--json', 'print the written file paths and the summary as one JSON object')
        .action(async (run, raw) => {
        const flags = ReportFlags.parse(raw);
        const runDir = resolveRunArg(run, flags.resultsDir);
        const { files, data } = await writeReport(runDir, {
            history: flags.history,
            ...(flags.outDir ? { outDir: resolve(flags.outDir) } : {}),
            ...(flags.maxDrilldownTurns ? { maxDrilldownTurns: flags.maxDrilldownTurns } : {}),
        });
        if (flags.json) {
            process.stdout.write(`${JSON.stringify({ files, summary: data.summary })}\n`);
            return;
        }
        process.stdout.write(formatSummaryTable(data.summary));
        process.stdout.write(`\nwrote ${files.markdown}\n      ${files.html}\n      ${files.samplesCsv}\n      ${files.turnsCsv}\n`);
    });
}
//# sourceMappingURL=report.js.map