import type { ToolName } from '../config/index.js';
import type { PromptItem } from '../model/index.js';
import type { McpToolset } from './mcp/index.js';
import { dispatchToolCall, type ToolContext, type ToolOutcome } from './tools/index.js';

export interface FunctionCall {
  call_id: string;
  name: string;
  arguments: string;
}

/**
 * Runs one response's tool calls in parallel in the sandbox (MCP tools on their servers). `onDone` sees each call as it
 * completes; the outputs come back in call order, as the history needs them.
 */
export async function runToolCalls(
  calls: readonly FunctionCall[],
  ctx: ToolContext,
  enabled: readonly ToolName[],
  onDone: (call: FunctionCall, outcome: ToolOutcome, durationMs: number) => void,
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
  return outcomes.map(({ call, outcome }) => ({
    type: 'function_call_output',
    call_id: call.call_id,
    output: outcome.output,
  }));
}
