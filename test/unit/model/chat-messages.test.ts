import { describe, expect, it } from 'vitest';
import { toChatMessages, toChatTools } from '../../../src/model/index.js';

describe('Responses items to Chat Completions messages', () => {
  it('maps instructions, roles, grouped tool calls and tool outputs', () => {
    const messages = toChatMessages('be brief', [
      { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'house rules' }] },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'do it' }] },
      {
        type: 'message',
        id: 'm1',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: 'looking', annotations: [] }],
      },
      { type: 'function_call', call_id: 'c1', name: 'shell', arguments: '{"command":["ls"]}' },
      { type: 'function_call', call_id: 'c2', name: 'read_file', arguments: '{"path":"a"}' },
      { type: 'function_call_output', call_id: 'c1', output: 'a\n' },
      { type: 'function_call_output', call_id: 'c2', output: 'L1: x' },
      { role: 'user', content: 'plain string content' },
    ]);
    expect(messages).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'system', content: 'house rules' },
      { role: 'user', content: 'do it' },
      {
        role: 'assistant',
        content: 'looking',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'shell', arguments: '{"command":["ls"]}' } },
          { id: 'c2', type: 'function', function: { name: 'read_file', arguments: '{"path":"a"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'a\n' },
      { role: 'tool', tool_call_id: 'c2', content: 'L1: x' },
      { role: 'user', content: 'plain string content' },
    ]);
  });

  it('keeps the tool order and schema', () => {
    const tools = toChatTools([
      { type: 'function', name: 'b', description: 'B', parameters: { type: 'object' }, strict: false },
      { type: 'function', name: 'a', parameters: null, strict: null },
    ]);
    expect(tools.map((t) => t.function.name)).toEqual(['b', 'a']);
    expect(tools[0]!.function).toEqual({
      name: 'b',
      description: 'B',
      parameters: { type: 'object' },
      strict: false,
    });
    expect(tools[1]!.function.parameters).toEqual({ type: 'object', properties: {} });
  });
});
