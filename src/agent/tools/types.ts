import type { ToolName } from '../../config/schema.js';
import type { ToolDefinition } from '../../model/types.js';
import type { Sandbox } from '../../sandbox/types.js';

export interface PlanItem {
  step: string;
  status: 'pending' | 'in_progress' | 'completed';
}

export interface ToolContext {
  sandbox: Sandbox;
  commandTimeoutMs: number;
  maxOutputBytes: number;
  signal?: AbortSignal;
  /** Per-sample state the tools may update (kept by the agent loop across turns). */
  state: { plan: PlanItem[] };
}

export type ToolErrorKind =
  | 'invalid_arguments'
  | 'unknown_tool'
  | 'timeout'
  | 'nonzero_exit'
  /** An MCP tool ran and reported an error (`isError`): an answer for the model, like a nonzero exit. */
  | 'tool_error'
  | 'sandbox_error';

export interface ToolOutcome {
  /** What the model sees as the function_call_output. */
  output: string;
  ok: boolean;
  error: ToolErrorKind | null;
  exitCode: number | null;
  durationMs: number;
  truncated: boolean;
}

export interface Tool {
  name: ToolName;
  definition: ToolDefinition;
  /** Validates `args` (already JSON-parsed) against the tool's schema, then runs. Throws only SandboxUnavailableError. */
  run(args: unknown, ctx: ToolContext): Promise<ToolOutcome>;
}

/** What a tool's handler returns; the duration is measured around it. */
export type ToolResult = Omit<ToolOutcome, 'durationMs'>;

export function success(output: string, extra: Partial<ToolResult> = {}): ToolResult {
  return { output, ok: true, error: null, exitCode: null, truncated: false, ...extra };
}

export function failure(error: ToolErrorKind, output: string, extra: Partial<ToolResult> = {}): ToolResult {
  return { output, ok: false, error, exitCode: null, truncated: false, ...extra };
}
