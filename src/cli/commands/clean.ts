import type { Command } from 'commander';
import { z } from 'zod';
import { ANY_LABEL_VALUE, DockerSandboxProvider, RUN_LABEL } from '../../sandbox/index.js';

const CleanFlags = z.object({ runId: z.string().min(1).optional() });

export function registerCleanCommand(program: Command): void {
  program
    .command('clean')
    .description(`remove sandbox containers left behind (labelled ${RUN_LABEL}): all runs, or one`)
    .option('--run-id <id>', 'only the containers of this run')
    .action(async (raw: Record<string, unknown>) => {
      const flags = CleanFlags.parse(raw);
      const provider = new DockerSandboxProvider();
      await provider.checkEngine();
      const removed = await provider.removeByLabels({
        [RUN_LABEL]: flags.runId ?? ANY_LABEL_VALUE,
      });
      const scope = flags.runId ? ` of run ${flags.runId}` : '';
      process.stdout.write(`removed ${removed} container${removed === 1 ? '' : 's'}${scope}\n`);
    });
}
