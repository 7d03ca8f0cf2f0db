import type { Layout, VariantSpec } from '../config/index.js';
import type { PromptItem, ToolDefinition } from '../model/index.js';

export interface EnvironmentContext {
  cwd: string;
  shell: string;
  network: boolean;
}

/** Codex-style environment context, sent as a user message. */
export function environmentMessage(
  env: EnvironmentContext,
  breakpoint = false,
  extra: string[] = [],
): PromptItem {
  const text = [
    '<environment_context>',
    `  <cwd>${env.cwd}</cwd>`,
    '  <approval_policy>never</approval_policy>',
    '  <sandbox_mode>workspace-write</sandbox_mode>',
    `  <network_access>${env.network ? 'enabled' : 'restricted'}</network_access>`,
    `  <shell>${env.shell}</shell>`,
    ...extra,
    '</environment_context>',
  ].join('\n');
  return userMessage(text, breakpoint);
}

function inputMessage(role: 'user' | 'developer', text: string, breakpoint: boolean): PromptItem {
  const marker = breakpoint ? { prompt_cache_breakpoint: { mode: 'explicit' as const } } : {};
  return { type: 'message', role, content: [{ type: 'input_text', text, ...marker }] };
}

export const userMessage = (text: string, breakpoint = false): PromptItem =>
  inputMessage('user', text, breakpoint);

export const developerMessage = (text: string, breakpoint = false): PromptItem =>
  inputMessage('developer', text, breakpoint);

/** The items that open every conversation, in the variant's layout order. */
export function preambleItems(variant: VariantSpec, taskText: string, env: EnvironmentContext): PromptItem[] {
  const items: PromptItem[] = [];
  const breakpoints = new Set(variant.layout.cache_breakpoints);
  for (const part of variant.layout.order) {
    const breakpoint = breakpoints.has(part);
    if (part === 'developer' && variant.developer_message)
      items.push(developerMessage(variant.developer_message, breakpoint));
    if (part === 'environment') items.push(environmentMessage(env, breakpoint));
    if (part === 'task') items.push(userMessage(taskText, breakpoint));
  }
  return items;
}

/**
 * Instructions are re-rendered each turn: `{{now}}` and `{{turn}}` are the dynamic content a
 * layout may (unwisely) put in front of the cache prefix.
 */
export function renderInstructions(template: string, turn: number, now: Date): string {
  return template.replaceAll('{{now}}', now.toISOString()).replaceAll('{{turn}}', String(turn));
}

/**
 * `rotate_per_turn` rotates the list by one place each turn: every turn's tools differ from the
 * previous turn's (with 2+ tools), which is the worst case for the prefix cache.
 */
export function orderTools(tools: ToolDefinition[], layout: Layout, turn: number): ToolDefinition[] {
  let ordered = tools;
  if (layout.tool_order === 'sorted') ordered = [...tools].sort((a, b) => a.name.localeCompare(b.name));
  if (layout.tool_order === 'rotate_per_turn' && tools.length > 1) {
    const shift = turn % tools.length;
    ordered = [...tools.slice(shift), ...tools.slice(0, shift)];
  }
  return ordered;
}
