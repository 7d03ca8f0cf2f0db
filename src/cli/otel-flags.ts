import type { OtelSettings } from '../otel/index.js';
import { UsageError } from './errors.js';

/** `--otel [endpoint]` and `--otel-content`, shared by `run` and `export` (flag, description). */
export const OTEL_OPTION = [
  '--otel [endpoint]',
  'export OpenTelemetry traces over OTLP/HTTP to endpoint (a base URL like OTEL_EXPORTER_OTLP_ENDPOINT; default: the OTEL_* variables, else http://localhost:4318)',
] as const;
export const OTEL_CONTENT_OPTION = [
  '--otel-content',
  'with --otel: also export the content the records hold (final answers, prompt diffs, scorer and grader text)',
] as const;

/** The settings from the flags and the OTEL_* environment; a bad value is a usage error. */
export async function otelFromFlags(
  otel: string | boolean | undefined,
  content: boolean,
): Promise<OtelSettings | null> {
  const { OtelConfigError, otelSettings } = await import('../otel/index.js');
  try {
    return otelSettings(otel, content);
  } catch (error) {
    if (error instanceof OtelConfigError) throw new UsageError(error.message);
    throw error;
  }
}
