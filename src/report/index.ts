export { type AggregateOptions, aggregateRun, type ReportData, type VariantStats } from './aggregate.js';
export {
  type CompareResult,
  compareRuns,
  formatCompareText,
  renderCompareMarkdown,
  type VariantComparison,
} from './compare.js';
export { SAMPLE_COLUMNS, TURN_COLUMNS, writeSamplesCsv, writeTurnsCsv } from './csv.js';
export {
  evaluateGates,
  GATE_METRICS,
  type Gate,
  type GateResult,
  GateSyntaxError,
  parseGates,
} from './gates.js';
export { formatHistory, type HistoryEntry, listRuns, sparkline } from './history.js';
export { renderHtml } from './html.js';
export { describeInProgress, type InProgress, PARTIAL_REPORT_DIR } from './in-progress.js';
export { formatInspection, inspectSample, type SampleInspection } from './inspect.js';
export { type JsonlReadResult, readJsonl, setJsonlWarningSink } from './jsonl.js';
export { renderCompareJunit, renderRunJunit, sampleOutcome, writeJunit } from './junit.js';
export { renderMarkdown } from './markdown.js';
export { type Repricing, repriceRun } from './reprice.js';
export { RUN_FILES, RunNotFoundError, readManifest, resolveRunDir } from './run-dir.js';
export { bootstrapMean, meanPassAtK, pairedDifference, passAtK, wilson } from './stats.js';
export {
  type RunSummary,
  readSamples,
  summarizeRun,
  summarizeSamples,
  type VariantSummary,
} from './summary.js';
export { colorWanted, formatSummaryTable, type TableOptions } from './table.js';
export { type ReportFiles, type WriteReportOptions, writeReport } from './write-report.js';
