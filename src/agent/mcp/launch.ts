import { posix } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { type Tool, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { type McpServerSpec, timerDelay } from '../../config/index.js';
import type { Sandbox } from '../../sandbox/index.js';
import { ProcessTransport } from './process-transport.js';

/** Where turnbench's Node runtime and its bundled MCP servers are, as seen by a server process. */
export interface McpRuntime {
  node: string;
  /** Folder holding `<builtin>.mjs` for each server shipped with turnbench. */
  serversDir: string;
  /** PATH for a server that asked for Node (`node: true`): the runtime's folder first. */
  path: string;
}

export interface McpLaunchOptions {
  sandbox: Sandbox;
  /** The runtime inside the sandbox; null when this sandbox was not given one. */
  sandboxRuntime: McpRuntime | null;
  hostRuntime: McpRuntime;
  /** Working directory of servers on the host (the task folder). */
  hostDir: string;
  /** The server said its tool list changed (`notifications/tools/list_changed`). */
  onToolsChanged: () => void;
}

export interface McpConnection {
  readonly spec: McpServerSpec;
  readonly client: Client;
  /** Every tool the server offers now (all pages). */
  listTools(): Promise<Tool[]>;
  /** The last lines the server wrote to stderr, for error messages. */
  stderrTail(): string;
  close(): Promise<void>;
}

const STDERR_TAIL_BYTES = 2048;
const CLIENT_INFO = { name: 'turnbench', version: '0.1.0' };

export class McpStartError extends Error {
  override name = 'McpStartError';
}

function argvOf(spec: McpServerSpec, runtime: McpRuntime | null): string[] {
  if (spec.builtin) {
    if (!runtime) {
      throw new McpStartError(
        `MCP server "${spec.name}": the builtin server needs turnbench's Node runtime, which this sandbox does not have`,
      );
    }
    return [runtime.node, posix.join(runtime.serversDir, `${spec.builtin}.mjs`), ...spec.args];
  }
  return [...(spec.command ?? []), ...spec.args];
}

function environment(spec: McpServerSpec, runtime: McpRuntime | null): Record<string, string> {
  const needsNode = spec.node || spec.builtin !== undefined;
  return { ...(needsNode && runtime ? { PATH: runtime.path } : {}), ...spec.env };
}

/** Starts one server (in the sandbox or on the host), completes the MCP handshake, and returns it. */
export async function launchServer(spec: McpServerSpec, opts: McpLaunchOptions): Promise<McpConnection> {
  const onHost = spec.run_on === 'host';
  const runtime = onHost ? opts.hostRuntime : opts.sandboxRuntime;
  const [command, ...args] = argvOf(spec, runtime);
  if (command === undefined) throw new McpStartError(`MCP server "${spec.name}" has no command`);
  const env = environment(spec, runtime);
  let stderr = '';
  const keepStderr = (chunk: Buffer | string) => {
    stderr = (stderr + String(chunk)).slice(-STDERR_TAIL_BYTES);
  };

  let transport: Transport;
  if (onHost) {
    const stdio = new StdioClientTransport({
      command,
      args,
      env: { ...getDefaultEnvironment(), ...env },
      cwd: opts.hostDir,
      stderr: 'pipe',
    });
    stdio.stderr?.on('data', keepStderr);
    transport = stdio;
  } else {
    const child = await opts.sandbox.spawn([command, ...args], { env });
    child.stderr.on('data', keepStderr);
    transport = new ProcessTransport(child);
  }

  const client = new Client(CLIENT_INFO, { capabilities: {} });
  client.setNotificationHandler(ToolListChangedNotificationSchema, async () => opts.onToolsChanged());
  const timeout = timerDelay(spec.startup_timeout_s * 1000);
  try {
    await client.connect(transport, { timeout });
  } catch (error) {
    await transport.close().catch(() => {});
    const tail = stderr.trim() ? `; stderr: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : '';
    throw new McpStartError(
      `MCP server "${spec.name}" did not start (${[command, ...args].join(' ')}): ${(error as Error).message}${tail}`,
    );
  }

  return {
    spec,
    client,
    async listTools() {
      const tools: Tool[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor ? { cursor } : undefined, { timeout });
        tools.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor);
      return tools;
    },
    stderrTail: () => stderr,
    close: () => client.close(),
  };
}
