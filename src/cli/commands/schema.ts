import { Argument, type Command } from 'commander';
import { CONFIG_FILE_KINDS, type ConfigFileKind, configJsonSchemaText } from '../../config/index.js';

/** `turnbench schema suite|task`: the JSON Schema an editor uses to check and complete the file. */
export function registerSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description(
      'print the JSON Schema of suite.yaml or task.yaml (for editors: `# yaml-language-server: $schema=<file>`)',
    )
    .addArgument(new Argument('<kind>', 'which file').choices(CONFIG_FILE_KINDS))
    .action((kind: ConfigFileKind) => {
      process.stdout.write(configJsonSchemaText(kind));
    });
}
