import type { ModelRequest, OutputItem, PromptItem, ToolDefinition } from '../../../src/model/types.js';

export function tool(name: string, description = `the ${name} tool`): ToolDefinition {
  return {
    type: 'function',
    name,
    description,
    strict: false,
    parameters: { type: 'object', properties: { arg: { type: 'string' } }, required: ['arg'] },
  };
}

export const TOOLS: ToolDefinition[] = [
  tool('shell'),
  tool('apply_patch'),
  tool('update_plan'),
  tool('read_file'),
];

export function user(text: string): PromptItem {
  return { type: 'message', role: 'user', content: [{ type: 'input_text', text }] };
}

export function call(id: string, name: string, args: string): OutputItem {
  return { type: 'function_call', id: `fc_${id}`, call_id: id, name, arguments: args, status: 'completed' };
}

export function callOutput(id: string, output: string): PromptItem {
  return { type: 'function_call_output', call_id: id, output };
}

export function assistant(id: string, text: string): OutputItem {
  return {
    type: 'message',
    id,
    role: 'assistant',
    status: 'completed',
    content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
  };
}

export function reasoning(id: string, text: string): OutputItem {
  return {
    type: 'reasoning',
    id,
    summary: [{ type: 'summary_text', text }],
    encrypted_content: `enc-${id}`,
    status: 'completed',
  };
}

export function request(input: PromptItem[], overrides: Partial<ModelRequest> = {}): ModelRequest {
  return {
    model: 'gpt-5',
    instructions: 'You are a careful coding agent.\nWork in /work.\nRun tests before answering.',
    tools: TOOLS,
    input,
    store: false,
    parallelToolCalls: true,
    promptCacheKey: 'sample-1',
    ...overrides,
  };
}

/** A deterministic stand-in tokenizer: one token per character, so expected figures are easy to compute. */
export function charCounter(): (text: string) => number {
  return (text) => text.length;
}
