export { aggregateRun } from './aggregate.js';
export { compareRuns, formatCompareText, renderCompareMarkdown, } from './compare.js';
export { SAMPLE_COLUMNS, TURN_COLUMNS, writeSamplesCsv, writeTurnsCsv } from './csv.js';
export { evaluateGates, GATE_METRICS, GateSyntaxError, parseGates, } from './gates.js';
export { formatHistory, listRuns, sparkline } from './history.js';
export { renderHtml } from './html.js';
export { readJsonl } from './jsonl.js';
export { renderMarkdown } from './markdown.js';
export { RUN_FILES, RunNotFoundError, readManifest, resolveRunDir } from './run-dir.js';
export { bootstrapMean, meanPassAtK, pairedDifference, passAtK, wilson } from './stats.js';
export { readSamples, summarizeRun, summarizeSamples, } from './summary.js';
export { colorWanted, formatSummaryTable } from './table.js';
export { writeReport } from './write-report.js';
//# sourceMappingURL=index.js.map