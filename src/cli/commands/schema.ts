import { Argument, type Command } from 'commander';
import type { ConfigFileKind } from '../../config/index.js';

/** The files `schema` knows (config's CONFIG_FILE_KINDS, which a test keeps equal to this list). */
export const SCHEMA_KINDS: readonly ConfigFileKind[] = ['suite', 'task'];

/** `turnbench schema suite|task`: the JSON Schema an editor uses to check and complete the file. */
export function registerSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description(
      'print the JSON Schema of suite.yaml or task.yaml (for editors: `# yaml-language-server: $schema=<file>`)',
    )
    .addArgument(new Argument('<kind>', 'which file').choices(SCHEMA_KINDS))
    .action(async (kind: ConfigFileKind) => {
      const { configJsonSchemaText } = await import('../../config/index.js');
      process.stdout.write(configJsonSchemaText(kind));
    });
}
