/**
 * OpenTelemetry traces of runs. The settings are light; everything that loads the SDK is behind
 * the dynamic imports below, so a command pays for OpenTelemetry only when it exports.
 */

export { runInfoFrom } from './run-info.js';
export { OtelConfigError, type OtelSettings, otelSettings } from './settings.js';
export type { RunInfo, SpanSpec, TurnExtras } from './span-specs.js';

export async function loadLiveExport() {
  return (await import('./live.js')).startLiveExport;
}

export async function loadRunExport() {
  return (await import('./export-run.js')).exportRunTraces;
}
export type { ExportOutcome } from './emitter.js';
