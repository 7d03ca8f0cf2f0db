export { applyPatch } from './apply-patch-apply.js';
export { PatchError, parsePatch } from './apply-patch-parse.js';
export { dispatchToolCall, TOOLS, toolDefinitions } from './registry.js';
//# sourceMappingURL=index.js.map