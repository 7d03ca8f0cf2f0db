import type { InputItem, ToolParam } from './schema.js';

/** How the request declared a tool the script calls: its type, and the namespace it sits in. */
export interface DeclaredTool {
  type: string;
  /** The `namespace` tool that holds it (null: declared at the top level). */
  namespace: string | null;
}

/** The name a script gives a step that searches the deferred tools (a `type: tool_search` tool has no name). */
export const TOOL_SEARCH = 'tool_search';

function toolsIn(value: unknown): ToolParam[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (t): t is ToolParam =>
      typeof t === 'object' && t !== null && typeof (t as { type?: unknown }).type === 'string',
  );
}

function add(byName: Map<string, DeclaredTool>, tools: readonly ToolParam[]): void {
  const declare = (name: string, tool: DeclaredTool) => {
    if (!byName.has(name)) byName.set(name, tool);
  };
  for (const t of tools) {
    if (t.type === 'namespace' && t.name) {
      for (const inner of toolsIn((t as { tools?: unknown }).tools)) {
        if (inner.name) declare(inner.name, { type: inner.type, namespace: t.name });
      }
    } else if (t.type === 'tool_search') {
      // a hosted search runs on the server; only a client search is a call the model makes
      if ((t as { execution?: unknown }).execution === 'client') {
        declare(TOOL_SEARCH, { type: 'tool_search', namespace: null });
      }
    } else if (t.name) declare(t.name, { type: t.type, namespace: null });
  }
}

/**
 * The tools a model may call in this turn, by name: those of the request's `tools` (top-level
 * ones first, then the function and custom tools inside each `type: namespace` tool), then those a
 * client tool search loaded (the `tools` of each `tool_search_output` input item), then a client
 * `tool_search` tool under the name `tool_search`.
 *
 * Codex 0.171 declares its sub-agent tools in the namespace `multi_agent_v1` (on models it has no
 * metadata for) or defers them behind its client `tool_search` (on the models of its catalogue,
 * which then find them there). A call to a namespaced tool must name its namespace (`namespace`
 * on the call item) or Codex refuses it ("unsupported call"). The first declaration of a name wins.
 */
export function declaredTools(
  tools: readonly ToolParam[] | null | undefined,
  items: readonly InputItem[] = [],
): Map<string, DeclaredTool> {
  const byName = new Map<string, DeclaredTool>();
  const top = tools ?? [];
  add(
    byName,
    top.filter((t) => t.type !== 'namespace'),
  );
  add(
    byName,
    top.filter((t) => t.type === 'namespace'),
  );
  for (const item of items) {
    if (item.type === 'tool_search_output') add(byName, toolsIn((item as { tools?: unknown }).tools));
  }
  return byName;
}
