export { runAgent } from './loop.js';
export { orderTools, preambleItems, renderInstructions } from './prompt.js';
export { emptyTotals } from './totals.js';
export { SUMMARY_PREFIX, SUMMARY_PROMPT } from './compaction/index.js';
//# sourceMappingURL=index.js.map