import type { Command } from 'commander';
import * as z from 'zod';
import { parseOptions } from '../../config/parse-once.js';

const Flags = z.object({
  resultsDir: z.string().min(1),
  sample: z.string().optional(),
  json: z.boolean().default(false),
});

export function registerInspectCommand(program: Command): void {
  program
    .command('inspect')
    .description(
      "one sample's turns: tokens, cached, hit %, cache class and break reason, and a diff of the first broken prompt",
    )
    .argument('<run>', 'a run id (under --results-dir) or a run folder')
    .option('--results-dir <dir>', 'where run folders are', 'results')
    .option('--sample <id>', 'the sample to inspect (default: the first sample with a cache break)')
    .option('--json', 'print the turn records and cache events as one JSON object')
    .action(async (run: string, raw: Record<string, unknown>) => {
      const flags = Flags.parse(raw, parseOptions(Flags));
      const { formatInspection, inspectSample, resolveRunDir } = await import('../../report/index.js');
      const inspection = await inspectSample(resolveRunDir(run, flags.resultsDir), flags.sample);
      if (flags.json) process.stdout.write(`${JSON.stringify(inspection)}\n`);
      else process.stdout.write(`${formatInspection(inspection)}\n`);
    });
}
