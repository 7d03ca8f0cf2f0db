import type { ToolName } from '../config/index.js';
import type { PromptItem } from '../model/index.js';
import { dispatchToolCall, type ToolContext, type ToolOutcome } from './tools/index.js';

export interface FunctionCall {
  call_id: string;
  name: string;
  arguments: string;
}

/**
 * Runs one response's tool calls in parallel in the sandbox. `onDone` sees each call as it
 * completes; the outputs come back in call order, as the history needs them.
 */
export async function runToolCalls(
  calls: readonly FunctionCall[],
  ctx: ToolContext,
  enabled: readonly ToolName[],
  onDone: (call: FunctionCall, outcome: ToolOutcome, durationMs: number) => void,
): Promise<PromptItem[]> {
  const outcomes = await Promise.all(
    calls.map(async (call) => {
      const started = performance.now();
      const outcome = await dispatchToolCall(call.name, call.arguments, ctx, enabled);
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
