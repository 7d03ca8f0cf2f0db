import * as z from 'zod';
import type { ExecResult } from '../../sandbox/types.js';
import { defineTool } from './define-tool.js';
import { capText } from './text-cap.js';
import { failure, success } from './types.js';

const ShellArgs = z
  .object({
    command: z
      .array(z.string())
      .min(1)
      .describe('The command to execute as an argv array, e.g. ["bash", "-lc", "ls -la"].'),
    workdir: z
      .string()
      .min(1)
      .optional()
      .describe('The working directory to run the command in (default: the workspace root).'),
    timeout_ms: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('The timeout for the command in milliseconds (capped by the task limit).'),
  })
  .strict();

export const shellTool = defineTool({
  name: 'shell',
  description:
    'Runs a shell command and returns its output. The command is an argv array; to use shell ' +
    'features (pipes, redirection, globs, &&) pass ["bash", "-lc", "<script>"]. Always set `workdir` ' +
    'instead of using `cd` where you can. Output is capped: the start and the end are kept.',
  schema: ShellArgs,
  async handler(args, ctx) {
    const timeoutMs = Math.min(args.timeout_ms ?? ctx.commandTimeoutMs, ctx.commandTimeoutMs);
    const result = await ctx.sandbox.exec(args.command, {
      timeoutMs,
      maxOutputBytes: ctx.maxOutputBytes,
      ...(args.workdir !== undefined && { cwd: args.workdir }),
      ...(ctx.signal !== undefined && { signal: ctx.signal }),
    });
    const body = combinedOutput(result);
    // The sandbox caps each stream; this guards against an implementation that does not.
    const capped = capText(body, ctx.maxOutputBytes + 256);
    const truncated = result.truncated || capped.truncated;
    const output = formatShellOutput(result, timeoutMs, capped.text);
    if (result.timedOut) return failure('timeout', output, { truncated });
    if (result.exitCode !== 0)
      return failure('nonzero_exit', output, { exitCode: result.exitCode, truncated });
    return success(output, { exitCode: 0, truncated });
  },
});

function combinedOutput(result: ExecResult): string {
  if (!result.stdout || !result.stderr) return result.stdout + result.stderr;
  return result.stdout.endsWith('\n') ? result.stdout + result.stderr : `${result.stdout}\n${result.stderr}`;
}

/** Codex's layout: exit code, wall time, then the output. */
function formatShellOutput(result: ExecResult, timeoutMs: number, body: string): string {
  const seconds = (result.durationMs / 1000).toFixed(1);
  const exit = result.timedOut
    ? `none (command timed out after ${timeoutMs} ms and was killed)`
    : String(result.exitCode ?? 'none');
  return `Exit code: ${exit}\nWall time: ${seconds} seconds\nOutput:\n${body}`;
}
