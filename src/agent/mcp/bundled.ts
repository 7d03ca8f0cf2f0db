import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { McpServerSpec } from '../../config/index.js';

/**
 * The folder of the MCP servers turnbench ships, bundled by `npm run build` into
 * `dist/mcp-servers/<name>.mjs` at the package root. This module runs from src/ (vitest) or
 * dist/src/ (tsc output), so walk up to the package root.
 */
export function bundledServersDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (isTurnbenchRoot(dir)) return join(dir, 'dist/mcp-servers');
    dir = dirname(dir);
  }
  throw new Error('the turnbench package root was not found');
}

function isTurnbenchRoot(dir: string): boolean {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'turnbench';
  } catch {
    return false;
  }
}

/** A server that runs on turnbench's own Node: one shipped with turnbench, or one that asked for it. */
export function needsNodeRuntime(spec: McpServerSpec): boolean {
  return spec.builtin !== undefined || spec.node;
}
