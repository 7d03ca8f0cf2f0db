import type { ResponseOutputItem } from 'openai/resources/responses/responses';
import { truncateBounded } from '../../tokens/index.js';

const cut = truncateBounded;

/**
 * What a model stopped by `max_output_tokens` sends: the output up to the budget, in order, the
 * item it was writing cut mid-text (a function call then has arguments that do not parse), and
 * nothing after it. Reasoning tokens spend the budget first, as on the real API.
 */
export function truncateOutput(
  output: readonly ResponseOutputItem[],
  budget: number,
  reasoningTokens: number,
  count: (text: string) => number,
): ResponseOutputItem[] {
  let left = budget - reasoningTokens;
  const kept: ResponseOutputItem[] = [];
  for (const item of output) {
    if (left <= 0) break;
    if (item.type === 'message') {
      const content = item.content.map((part) => {
        if (part.type !== 'output_text') return part;
        const used = count(part.text);
        const text = used <= left ? part.text : cut(part.text, left);
        left -= Math.min(used, left);
        return { ...part, text };
      });
      kept.push({ ...item, status: left > 0 ? item.status : 'incomplete', content });
    } else if (item.type === 'function_call') {
      // the name as the model writes it: with its namespace when it has one
      const name = count(item.name) + (item.namespace ? count(item.namespace) : 0);
      const used = name + count(item.arguments);
      const args = used <= left ? item.arguments : cut(item.arguments, left - name);
      left -= Math.min(used, left);
      kept.push({ ...item, arguments: args, status: left > 0 ? item.status : 'incomplete' });
    } else if (item.type === 'custom_tool_call') {
      const name = count(item.name) + (item.namespace ? count(item.namespace) : 0);
      const used = name + count(item.input);
      const input = used <= left ? item.input : cut(item.input, left - name);
      left -= Math.min(used, left);
      kept.push({ ...item, input });
    } else {
      kept.push(item);
    }
  }
  return kept;
}
