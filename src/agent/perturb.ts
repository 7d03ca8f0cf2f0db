import type { Perturb } from '../config/index.js';
import type { PromptItem, ReasoningEffort, ToolDefinition } from '../model/index.js';
import { type EnvironmentContext, environmentMessage } from './prompt.js';

export interface TurnShape {
  model: string;
  tools: ToolDefinition[];
  items: PromptItem[];
  reasoningEffort: ReasoningEffort | undefined;
  promptCacheKey: string | undefined;
}

const isEnvironment = (item: PromptItem) =>
  'content' in item &&
  Array.isArray(item.content) &&
  item.content.some((part) => part.type === 'input_text' && part.text.startsWith('<environment_context>'));

/** Whether the layout put an explicit cache breakpoint on the item (an edit keeps it). */
const hasBreakpoint = (item: PromptItem) =>
  'content' in item &&
  Array.isArray(item.content) &&
  item.content.some((part) => 'prompt_cache_breakpoint' in part && part.prompt_cache_breakpoint != null);

/**
 * A layout's one deliberate change (from `at_turn` on), so each kind of prefix break can be
 * demonstrated and tested. Item edits are made once, at `at_turn`, and stay in the history.
 */
export function applyPerturbation(
  perturb: Perturb | undefined,
  turn: number,
  shape: TurnShape,
  env: EnvironmentContext,
  now: Date,
): TurnShape {
  if (!perturb || turn < perturb.at_turn) return shape;
  switch (perturb.change) {
    case 'reorder_tools':
      return { ...shape, tools: [...shape.tools].reverse() };
    case 'drop_tool':
      return { ...shape, tools: shape.tools.slice(0, -1) };
    case 'switch_model':
      return { ...shape, model: perturb.model ?? shape.model };
    case 'change_reasoning_effort':
      return { ...shape, reasoningEffort: shape.reasoningEffort === 'high' ? 'low' : 'high' };
    case 'change_cache_key':
      return { ...shape, promptCacheKey: `${shape.promptCacheKey ?? 'key'}-changed` };
    case 'edit_environment': {
      if (turn !== perturb.at_turn) return shape;
      const at = shape.items.findIndex(isEnvironment);
      if (at === -1) return shape;
      const items = [...shape.items];
      const date = [`  <current_date>${now.toISOString()}</current_date>`];
      items[at] = environmentMessage(env, hasBreakpoint(items[at]!), date);
      return { ...shape, items };
    }
  }
}
