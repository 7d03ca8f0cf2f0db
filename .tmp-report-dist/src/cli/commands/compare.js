import { z } from 'zod';
import { compareRuns, formatCompareText, GateSyntaxError, parseGates, renderCompareMarkdown, } from '../../report/index.js';
import { EXIT, UsageError } from '../errors.js';
import { resolveRunArg } from './report.js';
const CompareFlags = z.object({
    resultsDir: z.string().min(1),
    failOn: z.string().optional(),
    markdown: z.boolean().default(false),
    json: z.boolean().default(false),
});
export function registerCompareCommand(program) {
    program
        .command('compare')
        .description('compare a candidate run with a baseline run; --fail-on turns the exit code into a CI gate')
        .argument('<baseline>', 'baseline run id or folder')
        .argument('<candidate>', 'candidate run id or folder')
        .option('--results-dir <dir>', 'where run folders are', 'results')
        .option('--fail-on <gates>', 'exit 1 when any condition holds, e.g. "cache_hit_rate<-2pp,pass_rate<-5pp,cost_usd>+10%"')
        .option('--markdown', 'print Markdown (for a pull-request comment)')
        .option('--json', 'print one JSON object')
        .action(async (baseline, candidate, raw) => {
        const flags = CompareFlags.parse(raw);
        if (flags.markdown && flags.json)
            throw new UsageError('--markdown and --json are exclusive');
        let gates = [];
        if (flags.failOn !== undefined) {
            try {
                gates = parseGates(flags.failOn);
            }
            catch (error) {
                if (error instanceof GateSyntaxError)
                    throw new UsageError(`--fail-on: ${error.message}`);
                throw error;
            }
        }
        const result = await compareRuns(resolveRunArg(baseline, flags.resultsDir), resolveRunArg(candidate, flags.resultsDir), gates);
        if (flags.json)
            process.stdout.write(`${JSON.stringify(result)}\n`);
        else if (flags.markdown)
            process.stdout.write(renderCompareMarkdown(result));
        else
            process.stdout.write(formatCompareText(result));
        if (result.failed)
            process.exitCode = EXIT.failed;
    });
}
//# sourceMappingURL=compare.js.map