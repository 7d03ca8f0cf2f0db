import type {
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
} from 'openai/resources/chat/completions/completions';
import type { PromptItem, ToolDefinition } from './types.js';

/** Text of a Responses message content (a string or a list of parts). */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) => {
      const p = part as { type?: string; text?: string; refusal?: string };
      if (p.type === 'input_text' || p.type === 'output_text') return p.text ?? '';
      if (p.type === 'refusal') return p.refusal ?? '';
      return '';
    })
    .join('');
}

/**
 * Responses-shaped history to Chat Completions messages: instructions become the system message,
 * developer messages become system messages too (several compatible servers reject the
 * `developer` role), consecutive function calls join one assistant message with `tool_calls`,
 * and tool outputs become `tool` messages. Compaction items have no Chat form: chat variants
 * compact with the `summary` or `truncate` policies.
 */
export function toChatMessages(
  instructions: string,
  items: readonly PromptItem[],
): ChatCompletionMessageParam[] {
  const messages: ChatCompletionMessageParam[] = [{ role: 'system', content: instructions }];
  let pendingAssistant: { content: string; tool_calls: ChatCompletionMessageToolCall[] } | null = null;
  const flush = () => {
    if (!pendingAssistant) return;
    messages.push({
      role: 'assistant',
      content: pendingAssistant.content || null,
      ...(pendingAssistant.tool_calls.length > 0 ? { tool_calls: pendingAssistant.tool_calls } : {}),
    });
    pendingAssistant = null;
  };
  for (const item of items) {
    const type = 'type' in item ? item.type : 'message';
    if (type === 'function_call' && item.type === 'function_call') {
      pendingAssistant ??= { content: '', tool_calls: [] };
      pendingAssistant.tool_calls.push({
        id: item.call_id,
        type: 'function',
        function: { name: item.name, arguments: item.arguments },
      });
      continue;
    }
    if (type === 'message' && 'role' in item && item.role === 'assistant') {
      flush();
      pendingAssistant = { content: contentText(item.content), tool_calls: [] };
      continue;
    }
    flush();
    if (type === 'function_call_output' && item.type === 'function_call_output') {
      messages.push({
        role: 'tool',
        tool_call_id: item.call_id ?? '',
        content: typeof item.output === 'string' ? item.output : contentText(item.output),
      });
    } else if (type === 'message' && 'role' in item && 'content' in item) {
      const text = contentText(item.content);
      if (item.role === 'user') messages.push({ role: 'user', content: text });
      else messages.push({ role: 'system', content: text });
    }
    // reasoning and compaction items have no Chat Completions form and are left out
  }
  flush();
  return messages;
}

export function toChatTools(tools: readonly ToolDefinition[]): ChatCompletionFunctionTool[] {
  return tools.map((tool) => ({
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      parameters: tool.parameters ?? { type: 'object', properties: {} },
      ...(tool.strict !== null && tool.strict !== undefined ? { strict: tool.strict } : {}),
    },
  }));
}
