import { hostname } from 'node:os';
import type { Command } from 'commander';
import * as z from 'zod';
import { parseOptions } from '../../config/parse-once.js';

const CleanFlags = z.object({ runId: z.string().min(1).optional(), force: z.boolean().default(false) });

const plural = (n: number) => `${n} container${n === 1 ? '' : 's'}`;

export function registerCleanCommand(program: Command): void {
  program
    .command('clean')
    .description(
      'remove sandbox containers (labelled turnbench.run) left by runs whose process is gone: of all runs, or one',
    )
    .option('--run-id <id>', 'only the containers of this run')
    .option('--force', "also remove live runs' containers and other machines' (their samples then fail)")
    .action(async (raw: Record<string, unknown>) => {
      const flags = CleanFlags.parse(raw, parseOptions(CleanFlags));
      const {
        ANY_LABEL_VALUE,
        DockerSandboxProvider,
        HOST_LABEL,
        RUN_LABEL,
        reapOrphans,
        sandboxOwnerAlive,
      } = await import('../../sandbox/index.js');
      const provider = new DockerSandboxProvider();
      await provider.checkEngine();
      const run = { [RUN_LABEL]: flags.runId ?? ANY_LABEL_VALUE };
      const scope = flags.runId ? ` of run ${flags.runId}` : '';
      if (flags.force) {
        process.stdout.write(`removed ${plural(await provider.removeByLabels(run))}${scope}\n`);
        return;
      }
      // Only containers whose owner process is gone: a live run's container removed under it
      // would fail its sample; another machine's owner cannot be checked from here.
      const removed = await reapOrphans(provider, { scope: run });
      const left = await provider.listLabels(run);
      process.stdout.write(`removed ${plural(removed)}${scope}\n`);
      if (left.length > 0) {
        const live = left.filter((labels) => sandboxOwnerAlive(labels) === true).length;
        const elsewhere = left.filter((labels) => labels[HOST_LABEL] !== hostname()).length;
        const why = [
          live > 0 ? `${live} of live runs` : '',
          elsewhere > 0 ? `${elsewhere} of other machines` : '',
        ]
          .filter(Boolean)
          .join(', ');
        process.stdout.write(
          `kept ${plural(left.length)}${why ? ` (${why})` : ''}; --force removes them too\n`,
        );
      }
    });
}
