import type { ToolName } from '../../config/schema.js';
import type { ToolDefinition } from '../../model/types.js';
import { SandboxUnavailableError } from '../../sandbox/types.js';
import { applyPatchTool } from './apply-patch.js';
import { errorMessage } from './define-tool.js';
import { readFileTool } from './read-file.js';
import { shellTool } from './shell.js';
import type { Tool, ToolContext, ToolOutcome } from './types.js';
import { updatePlanTool } from './update-plan.js';
import { writeFileTool } from './write-file.js';

/** Every tool, by name. Adding a tool: write its file and list it here (and in TOOL_NAMES). */
export const TOOLS: Readonly<Record<ToolName, Tool>> = {
  shell: shellTool,
  apply_patch: applyPatchTool,
  read_file: readFileTool,
  write_file: writeFileTool,
  update_plan: updatePlanTool,
};

/** The definitions to send to the model, in the given order. */
export function toolDefinitions(names: readonly ToolName[]): ToolDefinition[] {
  return names.map((name) => TOOLS[name].definition);
}

/**
 * Parse raw JSON arguments, validate with the tool's zod schema, run. Bad JSON, schema errors,
 * unknown or disabled tools and failed commands all become an outcome with ok=false and a message
 * for the model. Throws only SandboxUnavailableError: a sandbox that is gone has no answer to give.
 */
export async function dispatchToolCall(
  name: string,
  rawArguments: string,
  ctx: ToolContext,
  enabled: readonly ToolName[],
  /** Tools the model has besides the built-in ones (MCP tools), named when a call misses. */
  otherTools: readonly string[] = [],
): Promise<ToolOutcome> {
  const started = performance.now();
  const fail = (error: ToolOutcome['error'], output: string): ToolOutcome => ({
    output,
    ok: false,
    error,
    exitCode: null,
    durationMs: Math.round(performance.now() - started),
    truncated: false,
  });

  const tool = (enabled as readonly string[]).includes(name) ? TOOLS[name as ToolName] : undefined;
  if (tool === undefined) {
    const names = [...enabled, ...otherTools];
    const available = names.length > 0 ? names.join(', ') : 'none';
    const why = Object.hasOwn(TOOLS, name) ? 'is not enabled for this task' : 'does not exist';
    return fail('unknown_tool', `unknown tool "${name}": it ${why}; available tools: ${available}`);
  }

  let args: unknown;
  try {
    args = rawArguments.trim() === '' ? {} : JSON.parse(rawArguments);
  } catch (err) {
    return fail('invalid_arguments', `invalid arguments for ${name}: not valid JSON (${errorMessage(err)})`);
  }

  try {
    return await tool.run(args, ctx);
  } catch (err) {
    if (err instanceof SandboxUnavailableError) throw err;
    return fail('sandbox_error', `${name} failed: ${errorMessage(err)}`);
  }
}
