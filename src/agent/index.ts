export { SUMMARY_PREFIX, SUMMARY_PROMPT } from './compaction/index.js';
export type { AgentRunInput, AgentRunResult, SampleIdentity, SampleMcp, StopReason } from './loop.js';
export { runAgent } from './loop.js';
export {
  bundledServersDir,
  type McpRuntime,
  McpStartError,
  McpToolset,
  needsNodeRuntime,
  qualifiedToolName,
  type ToolsChange,
} from './mcp/index.js';
export type { EnvironmentContext } from './prompt.js';
export { orderTools, preambleItems, renderInstructions } from './prompt.js';
export type { SampleTotals } from './totals.js';
export { addUsage, emptyTotals } from './totals.js';
