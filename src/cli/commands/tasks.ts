import type { Command } from 'commander';
import * as z from 'zod';

const TasksOptionsSchema = z.object({ json: z.boolean().optional() }).strict();

/** `turnbench tasks <suite.yaml> [--json]`: list the suite's expanded tasks and its sample count. */
export function registerTasksCommand(program: Command): void {
  program
    .command('tasks')
    .description("list a suite's tasks (dataset rows expanded) and how many samples a run would make")
    .argument('<suite>', 'suite.yaml file')
    .option('--json', 'print one JSON object instead of a table')
    .action(async (suiteFile: string, rawOptions: unknown) => {
      const options = TasksOptionsSchema.parse(rawOptions);
      const { loadSuite } = await import('../../tasks/index.js');
      const { describeSuite, formatListing } = await import('./tasks-listing.js');
      const suite = await loadSuite(suiteFile);
      const listing = describeSuite(suite);
      process.stdout.write(options.json ? `${JSON.stringify(listing)}\n` : formatListing(listing));
    });
}
