import { createHash } from 'node:crypto';

/** The Responses API's limit on a function name (`^[a-zA-Z0-9_-]{1,64}$`). */
const MAX_NAME_LENGTH = 64;
export const MCP_PREFIX = 'mcp__';

const clean = (part: string) => part.replace(/[^A-Za-z0-9_-]/g, '_');

/**
 * `mcp__<server>__<tool>`, as Codex names MCP tools: characters a function name cannot hold become
 * `_`, and a name past 64 characters is cut and ends in a short hash of the whole, so it stays unique.
 */
export function qualifiedToolName(server: string, tool: string): string {
  const name = `${MCP_PREFIX}${clean(server)}__${clean(tool)}`;
  if (name.length <= MAX_NAME_LENGTH) return name;
  const hash = createHash('sha1').update(`${server}\u0000${tool}`).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_NAME_LENGTH - hash.length - 1)}_${hash}`;
}
