export { bundledServersDir, needsNodeRuntime } from './bundled.js';
export { renderToolResult } from './call-result.js';
export {
  launchServer,
  type McpConnection,
  type McpLaunchOptions,
  type McpRuntime,
  McpStartError,
} from './launch.js';
export { MCP_PREFIX, qualifiedToolName } from './names.js';
export { ProcessTransport } from './process-transport.js';
export {
  type ListChangedPolicy,
  type McpCallContext,
  type McpServerEvent,
  type McpToolLayout,
  McpToolset,
  type McpToolsetOptions,
  type ToolsChange,
} from './toolset.js';
