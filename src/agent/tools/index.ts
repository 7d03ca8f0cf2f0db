export { applyPatch, type FileChange, type PatchResult } from './apply-patch-apply.js';
export { PatchError, type PatchOperation, parsePatch, type UpdateChunk } from './apply-patch-parse.js';
export { dispatchToolCall, TOOLS, toolDefinitions } from './registry.js';
export type { PlanItem, Tool, ToolContext, ToolErrorKind, ToolOutcome } from './types.js';
