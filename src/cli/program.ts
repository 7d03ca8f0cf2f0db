import { Command, CommanderError } from 'commander';
import { turnbenchVersion } from '../runner/versions.js';
import { registerSecretsFromEnv } from '../secrets/index.js';
import { registerCleanCommand } from './commands/clean.js';
import { registerCompareCommand } from './commands/compare.js';
import { registerExportCommand } from './commands/export.js';
import { registerHistoryCommand } from './commands/history.js';
import { registerImagesCommand } from './commands/images.js';
import { registerIngestCommand } from './commands/ingest.js';
import { registerInitCommand } from './commands/init.js';
import { registerInspectCommand } from './commands/inspect.js';
import { registerMergeCommand } from './commands/merge.js';
import { registerReportCommand } from './commands/report.js';
import { registerRunCommand } from './commands/run.js';
import { registerSchemaCommand } from './commands/schema.js';
import { registerSimCommand } from './commands/sim.js';
import { registerTasksCommand } from './commands/tasks.js';
import { EXIT, reportFatal } from './errors.js';

// Keys in the environment are known secrets from the start: no command prints one (src/secrets).
registerSecretsFromEnv(process.env, ['OPENAI_API_KEY']);

const program = new Command()
  .name('turnbench')
  .description(
    'Batch and eval harness for LLM agent runs: sandboxed agent loops, per-turn prompt-cache forensics, reports.',
  )
  .version(turnbenchVersion())
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerInitCommand(program);
registerRunCommand(program);
registerTasksCommand(program);
registerInspectCommand(program);
registerReportCommand(program);
registerCompareCommand(program);
registerHistoryCommand(program);
registerMergeCommand(program);
registerIngestCommand(program);
registerSimCommand(program);
registerImagesCommand(program);
registerCleanCommand(program);
registerSchemaCommand(program);
registerExportCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
  } else {
    process.exitCode = reportFatal(error);
  }
}
