import { applyPatchTool } from './apply-patch.js';
import { errorMessage } from './define-tool.js';
import { readFileTool } from './read-file.js';
import { shellTool } from './shell.js';
import { updatePlanTool } from './update-plan.js';
import { writeFileTool } from './write-file.js';
/** Every tool, by name. Adding a tool: write its file and list it here (and in TOOL_NAMES). */
export const TOOLS = {
    shell: shellTool,
    apply_patch: applyPatchTool,
    read_file: readFileTool,
    write_file: writeFileTool,
    update_plan: updatePlanTool,
};
/** The definitions to send to the model, in the given order. */
export function toolDefinitions(names) {
    return names.map((name) => TOOLS[name].definition);
}
/**
 * Parse raw JSON arguments, validate with the tool's zod schema, run. Never throws: bad JSON,
 * schema errors, unknown or disabled tools and sandbox failures all become an outcome with
 * ok=false and a message for the model.
 */
export async function dispatchToolCall(name, rawArguments, ctx, enabled) {
    const started = performance.now();
    const fail = (error, output) => ({
        output,
        ok: false,
        error,
        exitCode: null,
        durationMs: Math.round(performance.now() - started),
        truncated: false,
    });
    const tool = enabled.includes(name) ? TOOLS[name] : undefined;
    if (tool === undefined) {
        const available = enabled.length > 0 ? enabled.join(', ') : 'none';
        const why = Object.hasOwn(TOOLS, name) ? 'is not enabled for this task' : 'does not exist';
        return fail('unknown_tool', `unknown tool "${name}": it ${why}; available tools: ${available}`);
    }
    let args;
    try {
        args = rawArguments.trim() === '' ? {} : JSON.parse(rawArguments);
    }
    catch (err) {
        return fail('invalid_arguments', `invalid arguments for ${name}: not valid JSON (${errorMessage(err)})`);
    }
    try {
        return await tool.run(args, ctx);
    }
    catch (err) {
        return fail('sandbox_error', `${name} failed: ${errorMessage(err)}`);
    }
}
//# sourceMappingURL=registry.js.map