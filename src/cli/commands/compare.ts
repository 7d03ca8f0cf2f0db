import { resolve } from 'node:path';
import type { Command } from 'commander';
import * as z from 'zod';
import { parseOptions } from '../../config/parse-once.js';
import { EXIT, UsageError } from '../errors.js';
import { resolveRunArg } from './report.js';

const CompareFlags = z.object({
  resultsDir: z.string().min(1),
  failOn: z.string().optional(),
  markdown: z.boolean().default(false),
  json: z.boolean().default(false),
  junit: z.string().min(1).optional(),
});

export function registerCompareCommand(program: Command): void {
  program
    .command('compare')
    .description('compare a candidate run with a baseline run; --fail-on turns the exit code into a CI gate')
    .argument('<baseline>', 'baseline run id or folder')
    .argument('<candidate>', 'candidate run id or folder')
    .option('--results-dir <dir>', 'where run folders are', 'results')
    .option(
      '--fail-on <gates>',
      'exit 1 when any condition holds or cannot be measured (pass_rate of a run with no scored sample, e.g. an ingested one), e.g. "cache_hit_rate<-2pp,pass_rate<-5pp,cost_usd>+10%"',
    )
    .option('--markdown', 'print Markdown (for a pull-request comment)')
    .option('--json', 'print one JSON object')
    .option('--junit <file>', 'also write JUnit XML: one test case per gate and variant')
    .action(async (baseline: string, candidate: string, raw: Record<string, unknown>) => {
      const flags = CompareFlags.parse(raw, parseOptions(CompareFlags));
      if (flags.markdown && flags.json) throw new UsageError('--markdown and --json are exclusive');
      const {
        compareRuns,
        formatCompareText,
        GateSyntaxError,
        parseGates,
        renderCompareJunit,
        renderCompareMarkdown,
        writeJunit,
      } = await import('../../report/index.js');
      let gates: ReturnType<typeof parseGates> = [];
      if (flags.failOn !== undefined) {
        try {
          gates = parseGates(flags.failOn);
        } catch (error) {
          if (error instanceof GateSyntaxError) throw new UsageError(`--fail-on: ${error.message}`);
          throw error;
        }
      }
      const result = await compareRuns(
        await resolveRunArg(baseline, flags.resultsDir),
        await resolveRunArg(candidate, flags.resultsDir),
        gates,
      );
      if (flags.junit) {
        if (gates.length === 0)
          process.stderr.write('warning: --junit without --fail-on: the file has no test cases\n');
        await writeJunit(resolve(flags.junit), await renderCompareJunit(result));
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else if (flags.markdown) process.stdout.write(renderCompareMarkdown(result));
      else process.stdout.write(formatCompareText(result));
      if (result.failed) process.exitCode = EXIT.failed;
    });
}
