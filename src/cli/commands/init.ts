import { relative } from 'node:path';
import type { Command } from 'commander';
import * as z from 'zod';
import { parseOptions } from '../../config/parse-once.js';
import { UsageError } from '../errors.js';

const InitFlags = z.object({ force: z.boolean().default(false) });

/** A path as the user would type it from here (relative when that is shorter). */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && rel.length < path.length ? rel : path;
}

/** `turnbench init [dir]`: a starter suite that runs offline at once, and what to type next. */
export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description(
      'write a starter suite (one task with files, a dataset and a command scorer; two layouts; the sim)',
    )
    .argument('[dir]', 'folder to create', 'turnbench-starter')
    .option('--force', 'write into a folder that is not empty (same-named files are replaced)')
    .action(async (dir: string, raw: Record<string, unknown>) => {
      const flags = InitFlags.parse(raw, parseOptions(InitFlags));
      const { InitError, initStarter } = await import('../../init/index.js');
      const result = await initStarter(dir, { force: flags.force }).catch((error: unknown) => {
        throw error instanceof InitError ? new UsageError(error.message) : error;
      });
      const suite = shown(result.suite);
      const next: Array<[string, string]> = [
        [
          `turnbench run ${suite} --run-id first-run`,
          'offline: Docker sandboxes + the built-in simulated model',
        ],
        ['turnbench report first-run', 'report.md, report.html and CSVs beside the results'],
        [
          'turnbench inspect first-run --sample word-count~poem__timestamp__e1',
          'where and why the prompt cache broke',
        ],
      ];
      const width = Math.max(...next.map(([command]) => command.length));
      const lines = [
        `created a starter suite in ${shown(result.dir)}:`,
        ...result.files.map((f) => `  ${f}`),
        '',
        'next:',
        ...next.map(([command, why]) => `  ${command.padEnd(width)}  # ${why}`),
        '',
      ];
      process.stdout.write(lines.join('\n'));
    });
}
