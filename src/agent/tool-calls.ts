import type { ToolName } from '../config/index.js';
import type { OutputItem, PromptItem } from '../model/index.js';
import type { McpToolset } from './mcp/index.js';
import { dispatchToolCall, type ToolContext, type ToolOutcome } from './tools/index.js';

/**
 * A tool call of a response: a `function_call` (JSON arguments) or a `custom_tool_call`
 * (freeform input, for tools a provider treats as freeform, such as `apply_patch`).
 */
export interface ToolCall {
  kind: 'function' | 'custom';
  call_id: string;
  name: string;
  /** JSON arguments; a custom call's input is passed as `{"input": …}`. */
  arguments: string;
}

/** The tool calls of a response's output, in order. */
export function toolCallsOf(output: readonly OutputItem[]): ToolCall[] {
  const calls: ToolCall[] = [];
  for (const item of output) {
    if (item.type === 'function_call') {
      calls.push({ kind: 'function', call_id: item.call_id, name: item.name, arguments: item.arguments });
    } else if (item.type === 'custom_tool_call') {
      calls.push({
        kind: 'custom',
        call_id: item.call_id,
        name: item.name,
        arguments: JSON.stringify({ input: item.input }),
      });
    }
  }
  return calls;
}

/**
 * Runs one response's tool calls in parallel in the sandbox (MCP tools on their servers).
 * `onDone` sees each call as it completes; the outputs come back in call order, as the history
 * needs them, each in the output type of its call (`function_call_output` or
 * `custom_tool_call_output`).
 */
export async function runToolCalls(
  calls: readonly ToolCall[],
  ctx: ToolContext,
  enabled: readonly ToolName[],
  onDone: (call: ToolCall, outcome: ToolOutcome, durationMs: number) => void,
  mcp: McpToolset | null = null,
): Promise<PromptItem[]> {
  const mcpNames = mcp ? mcp.definitions().map((d) => d.name) : [];
  const outcomes = await Promise.all(
    calls.map(async (call) => {
      const started = performance.now();
      const outcome = mcp?.handles(call.name)
        ? await mcp.call(call.name, call.arguments, {
            timeoutMs: ctx.commandTimeoutMs,
            maxOutputBytes: ctx.maxOutputBytes,
            ...(ctx.signal ? { signal: ctx.signal } : {}),
          })
        : await dispatchToolCall(call.name, call.arguments, ctx, enabled, mcpNames);
      onDone(call, outcome, outcome.durationMs || performance.now() - started);
      return { call, outcome };
    }),
  );
  return outcomes.map(
    ({ call, outcome }): PromptItem => ({
      type: call.kind === 'custom' ? 'custom_tool_call_output' : 'function_call_output',
      call_id: call.call_id,
      output: outcome.output,
    }),
  );
}
