import type { Command } from 'commander';
import * as z from 'zod';
import { parseOptions } from '../../config/parse-once.js';
import { EXIT, UsageError } from '../errors.js';
import { OTEL_CONTENT_OPTION, OTEL_OPTION, otelFromFlags } from '../otel-flags.js';
import { resolveRunArg } from './report.js';

const ExportFlags = z.object({
  resultsDir: z.string().min(1),
  otel: z.union([z.string(), z.boolean()]).optional(),
  otelContent: z.boolean().default(false),
  json: z.boolean().default(false),
});

/**
 * `turnbench export <run> --otel [endpoint]`: the OpenTelemetry traces of a finished run (built
 * from its records, so any run folder works: built-in runs, agent runs, ingested sessions).
 */
export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description(
      'send the OpenTelemetry traces of a finished run to an OTLP/HTTP collector (one trace per sample)',
    )
    .argument('<run>', 'a run id under --results-dir, or a run folder')
    .option('--results-dir <dir>', 'where run folders are', 'results')
    .option(...OTEL_OPTION)
    .option(...OTEL_CONTENT_OPTION)
    .option('--json', 'print one JSON object: { samples, spans, exported, failed, error, target }')
    .action(async (run: string, raw: Record<string, unknown>) => {
      const flags = ExportFlags.parse(raw, parseOptions(ExportFlags));
      const runDir = await resolveRunArg(run, flags.resultsDir);
      const settings = await otelFromFlags(flags.otel ?? false, flags.otelContent);
      if (!settings) {
        throw new UsageError(
          'export needs --otel [endpoint] (or OTEL_EXPORTER_OTLP_ENDPOINT) to know where to send traces',
        );
      }
      const { loadRunExport } = await import('../../otel/index.js');
      const exportRun = await loadRunExport();
      const result = await exportRun(runDir, settings);
      if (flags.json) process.stdout.write(`${JSON.stringify({ ...result, target: settings.target })}\n`);
      else if (result.failed === 0) {
        process.stdout.write(
          `exported ${result.spans} spans of ${result.samples} samples to ${settings.target}\n`,
        );
      }
      if (result.failed > 0) {
        process.stderr.write(
          `error: ${result.failed} of ${result.spans} spans not exported to ${settings.target}: ${result.error}\n`,
        );
        process.exitCode = EXIT.failed;
      }
    });
}
