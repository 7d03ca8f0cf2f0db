import * as z from 'zod';
import { MAX_STEP_TIMEOUT_S } from './bounds.js';
import { osEnv, osString } from './os-string.js';

/** MCP servers shipped with turnbench (bundled to one file each, run with turnbench's own Node). */
export const BUILTIN_MCP_SERVERS = ['notes', 'filesystem'] as const;

/**
 * An MCP server spoken to over stdio. Its tools reach the model as `mcp__<name>__<tool>`.
 * `builtin` names a server shipped with turnbench; `command` starts any other (argv, no shell).
 */
export const McpServerSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_-]+$/, 'use letters, digits, dash and underscore'),
    builtin: z.enum(BUILTIN_MCP_SERVERS).optional(),
    command: z.array(osString().min(1)).min(1).optional(),
    /** Arguments after the command (or after a builtin server's script). */
    args: z.array(osString()).default([]),
    env: osEnv().default({}),
    /**
     * `sandbox`: a process inside the sample's sandbox, as the sandbox user, in its working
     * directory, so whatever the server does stays there. `host`: a process on this machine, in the
     * task folder (a task's servers only).
     */
    run_on: z.enum(['sandbox', 'host']).default('sandbox'),
    /** Put turnbench's Node runtime on the server's PATH (in a sandbox: read-only under /opt/turnbench). */
    node: z.boolean().default(false),
    /** Time to start the process and complete the MCP handshake. */
    startup_timeout_s: z
      .number()
      .positive()
      .max(MAX_STEP_TIMEOUT_S, { message: `at most ${MAX_STEP_TIMEOUT_S} s (1 day)` })
      .default(30),
  })
  .strict()
  .refine((s) => (s.builtin === undefined) !== (s.command === undefined), {
    message: 'give exactly one of builtin (a server shipped with turnbench) or command',
  });
export type McpServerSpec = z.infer<typeof McpServerSchema>;

/** How MCP tools are presented to the model, and what happens when a server changes them. */
export const VariantMcpSchema = z
  .object({
    /** Servers every sample of the variant gets (in the sandbox; a task may add its own). */
    servers: z
      .array(
        McpServerSchema.refine((s) => s.run_on === 'sandbox', {
          message: "a variant's MCP servers run in the sandbox; a server on the host is declared by its task",
          path: ['run_on'],
        }),
      )
      .default([]),
    /**
     * `codex`: built-in tools first, then MCP tools sorted by qualified name (Codex's own order).
     * `listed`: MCP tools in server order, each server's tools in the order it lists them.
     */
    tool_layout: z.enum(['codex', 'listed']).default('codex'),
    /**
     * On `notifications/tools/list_changed`: `rebuild` re-lists and re-lays the tools at once;
     * `append` adds new tools at the end and keeps removed ones listed (a call to one gets an error)
     * until the next compaction; `defer` changes nothing until the next compaction.
     */
    on_list_changed: z.enum(['rebuild', 'append', 'defer']).default('rebuild'),
  })
  .strict()
  .superRefine((mcp, ctx) => {
    mcp.servers.forEach((server, i) => {
      if (mcp.servers.findIndex((s) => s.name === server.name) !== i) {
        ctx.addIssue({
          code: 'custom',
          path: ['servers', i, 'name'],
          message: `duplicate MCP server name "${server.name}"`,
        });
      }
    });
  });
export type VariantMcp = z.infer<typeof VariantMcpSchema>;
