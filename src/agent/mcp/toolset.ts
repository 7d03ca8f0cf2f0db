import { CallToolResultSchema, ErrorCode, McpError, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { McpServerSpec, VariantMcp } from '../../config/index.js';
import type { ToolDefinition } from '../../model/index.js';
import { hashValue } from '../../telemetry/index.js';
import { errorMessage } from '../tools/define-tool.js';
import { capText } from '../tools/text-cap.js';
import type { ToolErrorKind, ToolOutcome } from '../tools/types.js';
import { renderToolResult } from './call-result.js';
import { launchServer, type McpConnection, type McpLaunchOptions } from './launch.js';
import { qualifiedToolName } from './names.js';

export type ListChangedPolicy = VariantMcp['on_list_changed'];
export type McpToolLayout = VariantMcp['tool_layout'];

/** One tool of one server, as the prompt lists it. */
interface McpTool {
  qualified: string;
  server: string;
  /** The tool's name on its server. */
  name: string;
  definition: ToolDefinition;
  hash: string;
}

/** A change of the MCP tools, and what it did to the prompt's tools list. */
export interface ToolsChange {
  /** The server whose list changed; null when deferred changes are applied at a compaction. */
  server: string | null;
  added: string[];
  removed: string[];
  changed: string[];
  policy: ListChangedPolicy;
  /**
   * `now`: the tools were re-listed and re-laid out at once; `appended`: new tools went to the end
   * of the list; `deferred`: the list stays as it is until the next compaction; `at_compaction`: the
   * deferred changes were applied because the history was just compacted.
   */
  applied: 'now' | 'appended' | 'deferred' | 'at_compaction';
  /** MCP tools in the prompt after the change. */
  tools: number;
}

export interface McpServerEvent {
  server: string;
  action: 'started' | 'stopped' | 'failed';
  runOn: McpServerSpec['run_on'];
  tools: number;
  durationMs: number;
  detail: string | null;
}

export interface McpToolsetOptions {
  servers: readonly McpServerSpec[];
  launch: Omit<McpLaunchOptions, 'onToolsChanged'>;
  layout: McpToolLayout;
  policy: ListChangedPolicy;
  onChange: (change: ToolsChange) => void;
  onServer: (event: McpServerEvent) => void;
}

export interface McpCallContext {
  timeoutMs: number;
  maxOutputBytes: number;
  signal?: AbortSignal;
}

interface ServerState {
  connection: McpConnection;
  tools: McpTool[];
  /** Re-lists of this server run one after the other, in notification order. */
  refreshing: Promise<void>;
}

/**
 * The tool's input schema as function parameters: no `$schema` key (as our own tools), and an object
 * schema always has `properties` (the Responses API wants them).
 */
function parametersOf(tool: Tool): Record<string, unknown> {
  const { $schema: _dialect, ...schema }: Record<string, unknown> = { ...tool.inputSchema };
  if (schema.type === 'object' && schema.properties === undefined) schema.properties = {};
  return schema;
}

function toMcpTools(server: string, listed: readonly Tool[]): McpTool[] {
  const seen = new Set<string>();
  const tools: McpTool[] = [];
  for (const tool of listed) {
    const qualified = qualifiedToolName(server, tool.name);
    if (seen.has(qualified)) continue; // two names that clean to the same function name: the first wins
    seen.add(qualified);
    const definition: ToolDefinition = {
      type: 'function',
      name: qualified,
      description: tool.description ?? '',
      strict: false,
      parameters: parametersOf(tool),
    };
    tools.push({ qualified, server, name: tool.name, definition, hash: hashValue(definition) });
  }
  return tools;
}

function diffTools(before: readonly McpTool[], after: readonly McpTool[]) {
  const was = new Map(before.map((t) => [t.qualified, t.hash]));
  const now = new Map(after.map((t) => [t.qualified, t.hash]));
  return {
    added: after.filter((t) => !was.has(t.qualified)).map((t) => t.qualified),
    removed: before.filter((t) => !now.has(t.qualified)).map((t) => t.qualified),
    changed: after
      .filter((t) => was.has(t.qualified) && was.get(t.qualified) !== t.hash)
      .map((t) => t.qualified),
  };
}

function outcome(
  ok: boolean,
  error: ToolErrorKind | null,
  output: string,
  started: number,
  truncated = false,
) {
  return {
    output,
    ok,
    error,
    exitCode: null,
    durationMs: Math.round(performance.now() - started),
    truncated,
  } satisfies ToolOutcome;
}

/**
 * The MCP tools of one sample: the servers, the tools they offer now, and the tools the prompt
 * lists, which follow the servers' changes according to the variant's policy.
 */
export class McpToolset {
  private readonly servers = new Map<string, ServerState>();
  private listed: McpTool[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  private constructor(private readonly opts: McpToolsetOptions) {}

  /** Starts every server (all or none: a failure stops the ones already started). */
  static async open(opts: McpToolsetOptions): Promise<McpToolset> {
    const toolset = new McpToolset(opts);
    try {
      for (const spec of opts.servers) await toolset.start(spec);
    } catch (error) {
      await toolset.close();
      throw error;
    }
    toolset.listed = toolset.laidOut(toolset.offered());
    return toolset;
  }

  private async start(spec: McpServerSpec): Promise<void> {
    if (this.servers.has(spec.name)) throw new Error(`two MCP servers are named "${spec.name}"`);
    const began = performance.now();
    let connection: McpConnection;
    try {
      connection = await launchServer(spec, {
        ...this.opts.launch,
        onToolsChanged: () => this.refresh(spec.name),
      });
    } catch (error) {
      this.opts.onServer({
        server: spec.name,
        action: 'failed',
        runOn: spec.run_on,
        tools: 0,
        durationMs: performance.now() - began,
        detail: errorMessage(error),
      });
      throw error;
    }
    const state: ServerState = { connection, tools: [], refreshing: Promise.resolve() };
    this.servers.set(spec.name, state);
    state.tools = toMcpTools(spec.name, await connection.listTools());
    this.opts.onServer({
      server: spec.name,
      action: 'started',
      runOn: spec.run_on,
      tools: state.tools.length,
      durationMs: performance.now() - began,
      detail: state.tools.map((t) => t.name).join(', ') || null,
    });
  }

  /** The MCP part of the prompt's tools, in order (after the built-in tools). */
  definitions(): ToolDefinition[] {
    return this.listed.map((t) => t.definition);
  }

  /** Whether a call to `name` is this toolset's to answer (a tool listed now, or offered by a server). */
  handles(name: string): boolean {
    return this.listed.some((t) => t.qualified === name) || this.offered().some((t) => t.qualified === name);
  }

  /** Waits until every tool-list change notified so far has been re-listed and applied. */
  async settle(): Promise<void> {
    // A notification that arrived with a tool result is handled a tick later; let it start.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** The history was compacted: the cache is broken anyway, so changes held back are applied now. */
  compacted(): void {
    const target = this.laidOut(this.offered());
    const diff = diffTools(this.listed, target);
    const moved = target.map((t) => t.qualified).join(',') !== this.listed.map((t) => t.qualified).join(',');
    if (diff.added.length + diff.removed.length + diff.changed.length === 0 && !moved) return;
    this.listed = target;
    this.opts.onChange({
      server: null,
      ...diff,
      policy: this.opts.policy,
      applied: 'at_compaction',
      tools: target.length,
    });
  }

  async call(name: string, rawArguments: string, ctx: McpCallContext): Promise<ToolOutcome> {
    const started = performance.now();
    const listed = this.listed.find((t) => t.qualified === name);
    const live = this.offered().find((t) => t.qualified === name);
    if (!listed) {
      return outcome(
        false,
        'unknown_tool',
        `unknown tool "${name}": it is not in this conversation's tool list yet (its MCP server added it; it is listed after the next compaction)`,
        started,
      );
    }
    if (!live) {
      return outcome(
        false,
        'unknown_tool',
        `tool "${name}" was removed by its MCP server "${listed.server}"; it stays listed until the conversation is compacted`,
        started,
      );
    }
    let args: unknown;
    try {
      args = rawArguments.trim() === '' ? {} : JSON.parse(rawArguments);
    } catch (error) {
      return outcome(
        false,
        'invalid_arguments',
        `invalid arguments for ${name}: not valid JSON (${errorMessage(error)})`,
        started,
      );
    }
    if (typeof args !== 'object' || args === null || Array.isArray(args)) {
      return outcome(
        false,
        'invalid_arguments',
        `invalid arguments for ${name}: expected a JSON object`,
        started,
      );
    }
    const server = this.servers.get(live.server);
    if (!server) return outcome(false, 'sandbox_error', `${name}: its MCP server is gone`, started);
    try {
      const raw = await server.connection.client.callTool(
        { name: live.name, arguments: args as Record<string, unknown> },
        undefined,
        { timeout: ctx.timeoutMs, ...(ctx.signal ? { signal: ctx.signal } : {}) },
      );
      const parsed = CallToolResultSchema.safeParse(raw);
      if (!parsed.success) {
        return outcome(
          false,
          'sandbox_error',
          `${name}: the MCP server sent a malformed tool result`,
          started,
        );
      }
      const capped = capText(renderToolResult(parsed.data), ctx.maxOutputBytes);
      const failed = parsed.data.isError === true;
      return outcome(!failed, failed ? 'tool_error' : null, capped.text, started, capped.truncated);
    } catch (error) {
      ctx.signal?.throwIfAborted();
      const code = error instanceof McpError ? error.code : null;
      const kind: ToolErrorKind =
        code === ErrorCode.RequestTimeout
          ? 'timeout'
          : code === ErrorCode.InvalidParams
            ? 'invalid_arguments'
            : 'sandbox_error';
      const tail = server.connection.stderrTail().trim().split('\n').slice(-3).join(' | ');
      return outcome(
        false,
        kind,
        `${name} failed: ${errorMessage(error)}${tail && kind === 'sandbox_error' ? ` (server stderr: ${tail})` : ''}`,
        started,
      );
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [name, state] of this.servers) {
      const began = performance.now();
      let detail: string | null = null;
      try {
        await state.connection.close();
      } catch (error) {
        detail = errorMessage(error);
      }
      this.opts.onServer({
        server: name,
        action: 'stopped',
        runOn: state.connection.spec.run_on,
        tools: state.tools.length,
        durationMs: performance.now() - began,
        detail,
      });
    }
  }

  /** Every tool the servers offer now, in server order. */
  private offered(): McpTool[] {
    return [...this.servers.values()].flatMap((s) => s.tools);
  }

  private laidOut(tools: readonly McpTool[]): McpTool[] {
    if (this.opts.layout === 'listed') return [...tools];
    return [...tools].sort((a, b) => (a.qualified < b.qualified ? -1 : a.qualified > b.qualified ? 1 : 0));
  }

  private refresh(server: string): void {
    const state = this.servers.get(server);
    if (!state || this.closed) return;
    const run = state.refreshing.then(async () => {
      if (this.closed) return;
      const next = toMcpTools(server, await state.connection.listTools());
      const diff = diffTools(state.tools, next);
      state.tools = next;
      if (diff.added.length + diff.removed.length + diff.changed.length > 0) this.apply(server, diff);
    });
    const tracked = run.catch(() => {
      // A server that cannot re-list keeps its last list; a call to a tool it dropped fails then.
    });
    state.refreshing = tracked;
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  private apply(server: string, diff: ReturnType<typeof diffTools>): void {
    const policy = this.opts.policy;
    let applied: ToolsChange['applied'] = 'deferred';
    if (policy === 'rebuild') {
      this.listed = this.laidOut(this.offered());
      applied = 'now';
    } else if (policy === 'append' && diff.added.length > 0) {
      const added = new Set(diff.added);
      this.listed = [...this.listed, ...this.laidOut(this.offered().filter((t) => added.has(t.qualified)))];
      applied = 'appended';
    }
    this.opts.onChange({ server, ...diff, policy, applied, tools: this.listed.length });
  }
}
