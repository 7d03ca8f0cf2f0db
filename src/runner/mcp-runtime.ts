import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bundledServersDir, type McpRuntime, needsNodeRuntime } from '../agent/index.js';
import { BUILTIN_MCP_SERVERS, type McpServerSpec } from '../config/index.js';
import type { SandboxSpec } from '../sandbox/index.js';
import type { Sample } from '../tasks/index.js';

/** Where turnbench's Node runtime appears inside a Docker sandbox (read-only bind mounts). */
const IN_SANDBOX = {
  node: '/opt/turnbench/bin/node',
  serversDir: '/opt/turnbench/mcp-servers',
  path: '/opt/turnbench/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
};

/** Every MCP server of a sample: the variant's, then the task's. */
export function sampleMcpServers(sample: Sample): McpServerSpec[] {
  return [...(sample.variant.mcp?.servers ?? []), ...sample.task.spec.mcp_servers];
}

/** The Node running turnbench, and the bundled servers beside it, for servers on this machine. */
export function hostMcpRuntime(): McpRuntime {
  const node = process.execPath;
  return {
    node,
    serversDir: bundledServersDir(),
    path: [dirname(node), process.env.PATH].filter(Boolean).join(':'),
  };
}

export interface McpSandboxRuntime {
  /** The runtime as a server in the sandbox sees it. */
  runtime: McpRuntime;
  /** What the sandbox must mount for it (nothing for a local sandbox, which sees host paths). */
  mounts: NonNullable<SandboxSpec['mounts']>;
}

/**
 * Docker: the host's own node binary and the bundled servers, mounted read-only (the base image has
 * no Node; Node's Linux build runs on its glibc). Only on an engine on this machine: a remote engine
 * cannot mount these host paths.
 */
export function sandboxMcpRuntime(kind: 'docker' | 'local'): McpSandboxRuntime {
  const host = hostMcpRuntime();
  if (kind === 'local') return { runtime: host, mounts: [] };
  return {
    runtime: IN_SANDBOX,
    mounts: [
      { source: realpathSync(host.node), target: IN_SANDBOX.node },
      { source: host.serversDir, target: IN_SANDBOX.serversDir },
    ],
  };
}

/** Whether a sample's sandbox needs the runtime: one of its servers runs there on turnbench's Node. */
export function sandboxNeedsNode(sample: Sample): boolean {
  return sampleMcpServers(sample).some((s) => s.run_on === 'sandbox' && needsNodeRuntime(s));
}

/** Null when every builtin server a run needs is built; else what is missing and what to do. */
export function missingBundles(samples: readonly Sample[]): string | null {
  const used = new Set(
    samples.flatMap((s) => sampleMcpServers(s).flatMap((m) => (m.builtin ? [m.builtin] : []))),
  );
  if (used.size === 0) return null;
  const dir = bundledServersDir();
  const missing = BUILTIN_MCP_SERVERS.filter(
    (name) => used.has(name) && !existsSync(join(dir, `${name}.mjs`)),
  );
  return missing.length > 0
    ? `the builtin MCP server(s) ${missing.join(', ')} are not built (${dir}); run \`npm run build\``
    : null;
}
