import { resolve } from 'node:path';
import { z } from 'zod';
import { loadPricing } from '../../config/pricing.js';
import { formatSummaryTable, summarizeRun } from '../../report/index.js';
import { newRunId, progressFor, RUN_ID_PATTERN, runSuite } from '../../runner/index.js';
import { DockerSandboxProvider, LocalSandboxProvider } from '../../sandbox/index.js';
import { loadSuite } from '../../tasks/index.js';
import { EXIT, UsageError } from '../errors.js';
import { positiveIntArg, zodArg } from '../options.js';
const RunFlags = z.object({
    runId: z.string().regex(RUN_ID_PATTERN, 'letters, digits, dot, dash, underscore').optional(),
    resultsDir: z.string().min(1),
    concurrency: z.number().int().positive().optional(),
    json: z.boolean().default(false),
    sandbox: z.enum(['docker', 'local']).optional(),
    pricing: z.string().optional(),
    grace: z.number().positive(),
});
function sandboxProvider(kind) {
    return kind === 'local' ? new LocalSandboxProvider() : new DockerSandboxProvider();
}
export function registerRunCommand(program) {
    program
        .command('run')
        .description('run a suite: every task x variant x epoch as one sandboxed agent conversation')
        .argument('<suite>', 'path to suite.yaml')
        .option('--run-id <id>', 'name of the run folder (default: a timestamp)')
        .option('--results-dir <dir>', 'where run folders go', 'results')
        .option('--concurrency <n>', 'samples at once (default: the suite file, else 4)', positiveIntArg('--concurrency'))
        .option('--sandbox <engine>', 'docker (default) or local (no isolation; development only)', zodArg(z.enum(['docker', 'local']), '--sandbox'))
        .option('--pricing <file>', 'a pricing YAML that overrides the shipped prices')
        .option('--grace <seconds>', 'after the first Ctrl-C, how long samples in flight may finish', positiveIntArg('--grace'), 30)
        .option('--json', 'print one JSON summary object on stdout (progress stays on stderr)')
        .action(async (suitePath, raw) => {
        const flags = RunFlags.parse(raw);
        const suite = await loadSuite(resolve(suitePath));
        const runId = flags.runId ?? newRunId();
        const resultsDir = resolve(flags.resultsDir);
        const pricing = await loadPricing(flags.pricing);
        const sandboxes = sandboxProvider(flags.sandbox ?? suite.spec.sandbox.engine);
        const progress = progressFor();
        const stop = new AbortController();
        const abort = new AbortController();
        let graceTimer;
        const onSigint = () => {
            if (!stop.signal.aborted) {
                progress.info(`stopping: no new samples; samples in flight get ${flags.grace}s (Ctrl-C again to abort them)`);
                stop.abort();
                graceTimer = setTimeout(() => abort.abort(), flags.grace * 1000);
                graceTimer.unref();
            }
            else if (!abort.signal.aborted) {
                progress.info('aborting samples in flight; removing their containers');
                abort.abort();
            }
        };
        process.on('SIGINT', onSigint);
        process.on('SIGTERM', onSigint);
        let outcome;
        try {
            outcome = await runSuite({
                suite,
                runId,
                resultsDir,
                ...(flags.concurrency ? { concurrency: flags.concurrency } : {}),
                sandboxes,
                pricing,
                progress,
                stop: stop.signal,
                abort: abort.signal,
            });
        }
        catch (error) {
            if (error instanceof Error && /already exists/.test(error.message))
                throw new UsageError(error.message);
            throw error;
        }
        finally {
            clearTimeout(graceTimer);
            process.off('SIGINT', onSigint);
            process.off('SIGTERM', onSigint);
            // Safety net: nothing labelled with this run may outlive it.
            await sandboxes.removeByLabels({ 'turnbench.run': runId }).catch(() => 0);
        }
        const summary = await summarizeRun(outcome.runDir);
        if (flags.json) {
            const { run_id, results_dir, status, variants } = summary;
            process.stdout.write(`${JSON.stringify({ run_id, results_dir, run_dir: outcome.runDir, status, variants })}\n`);
        }
        else {
            process.stdout.write(`\nrun ${runId} ${outcome.status}: ${outcome.runDir}\n\n${formatSummaryTable(summary)}\n`);
        }
        if (outcome.status === 'interrupted')
            process.exitCode = EXIT.interrupted;
    });
}
//# sourceMappingURL=run.js.map