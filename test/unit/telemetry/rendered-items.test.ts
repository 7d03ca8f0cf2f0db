import { describe, expect, it } from 'vitest';
import type { OutputItem } from '../../../src/model/index.js';
import { hashValue, outputItemsAsInput, renderedResponsesItem } from '../../../src/telemetry/index.js';

describe('items reduced to what the provider renders', () => {
  it("Codex's resent function call equals the model's output, whatever bookkeeping Codex adds", () => {
    const output = {
      id: 'fc_1',
      type: 'function_call',
      status: 'completed',
      call_id: 'call_1',
      name: 'exec_command',
      arguments: '{"cmd":"ls"}',
    } as OutputItem;
    const resent = {
      type: 'function_call',
      status: 'completed',
      id: 'fc_1',
      name: 'exec_command',
      arguments: '{"cmd":"ls"}',
      call_id: 'call_1',
      internal_chat_message_metadata_passthrough: { turn_id: 't' },
    };
    const [canonical] = outputItemsAsInput([output]);
    expect(hashValue(renderedResponsesItem(resent))).toBe(hashValue(renderedResponsesItem(canonical)));
  });

  it('a message keeps role and content (annotations dropped), a changed text changes it', () => {
    const a = {
      type: 'message',
      id: 'm1',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: 'hi', annotations: [] }],
    };
    const b = { role: 'assistant', content: [{ type: 'output_text', text: 'hi' }], type: 'message' };
    expect(renderedResponsesItem(a)).toEqual(renderedResponsesItem(b));
    expect(renderedResponsesItem({ ...b, content: [{ type: 'output_text', text: 'ho' }] })).not.toEqual(
      renderedResponsesItem(b),
    );
  });

  it('reasoning is its encrypted content when there is one; unknown items lose only id and status', () => {
    expect(
      renderedResponsesItem({ type: 'reasoning', id: 'rs', summary: [], encrypted_content: 'e' }),
    ).toEqual({
      type: 'reasoning',
      encrypted_content: 'e',
    });
    expect(
      renderedResponsesItem({ type: 'web_search_call', id: 'w', status: 'completed', action: { q: 1 } }),
    ).toEqual({
      type: 'web_search_call',
      action: { q: 1 },
    });
  });
});
