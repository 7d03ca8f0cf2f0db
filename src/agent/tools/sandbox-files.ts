import { posix } from 'node:path';
import type { FileOpOptions } from '../../sandbox/types.js';
import type { ToolContext } from './types.js';

/** The bounds of a tool's file operation: the command timeout and the sample's signal. */
export function fileOp(ctx: ToolContext): FileOpOptions {
  return { timeoutMs: ctx.commandTimeoutMs, ...(ctx.signal ? { signal: ctx.signal } : {}) };
}

/**
 * Write through the sandbox; if that fails (a sandbox whose writeFile does not create parent
 * directories), create them with `mkdir -p` and try once more.
 */
export async function writeFileWithParents(ctx: ToolContext, path: string, content: string): Promise<void> {
  try {
    await ctx.sandbox.writeFile(path, content, fileOp(ctx));
    return;
  } catch (firstError) {
    const parent = posix.dirname(path);
    if (parent === '.' || parent === '/') throw firstError;
    const made = await ctx.sandbox.exec(['mkdir', '-p', '--', parent], {
      timeoutMs: ctx.commandTimeoutMs,
      ...(ctx.signal !== undefined && { signal: ctx.signal }),
    });
    if (made.exitCode !== 0) throw firstError;
  }
  await ctx.sandbox.writeFile(path, content, fileOp(ctx));
}

/** Delete a file through the sandbox's own shell tools (the Sandbox interface has no unlink). */
export async function deleteFile(ctx: ToolContext, path: string): Promise<void> {
  const result = await ctx.sandbox.exec(['rm', '-f', '--', path], {
    timeoutMs: ctx.commandTimeoutMs,
    maxOutputBytes: 4096,
    ...(ctx.signal !== undefined && { signal: ctx.signal }),
  });
  if (result.exitCode !== 0) {
    throw new Error(`rm ${path} failed (exit ${result.exitCode ?? 'none'}): ${result.stderr.trim()}`);
  }
}
