export { SUMMARY_PREFIX, SUMMARY_PROMPT } from './compaction/index.js';
export type { AgentRunInput, AgentRunResult, SampleIdentity, SampleMcp, StopReason } from './loop.js';
export { runAgent } from './loop.js';
// The MCP client (and its SDK) is loaded by the loop only for a sample with MCP servers: only the
// light parts are exported here; the toolset itself is in ./mcp/index.js.
export { bundledServersDir, needsNodeRuntime } from './mcp/bundled.js';
export type { McpRuntime, McpToolset, ToolsChange } from './mcp/index.js';
export { qualifiedToolName } from './mcp/names.js';
export type { EnvironmentContext } from './prompt.js';
export { orderTools, preambleItems, renderInstructions } from './prompt.js';
export type { SampleTotals } from './totals.js';
export { addUsage, emptyTotals } from './totals.js';
