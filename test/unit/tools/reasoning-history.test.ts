import { describe, expect, it } from 'vitest';
import { asksForEncryptedReasoning, historyItems } from '../../../src/agent/reasoning.js';
import type { PromptItem } from '../../../src/model/index.js';

const withContent: PromptItem = { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAAA' };
const without: PromptItem = { type: 'reasoning', id: 'rs_2', summary: [] };
const call: PromptItem = { type: 'function_call', call_id: 'c', name: 'shell', arguments: '{}' };

describe('reasoning in the history', () => {
  it('asks for encrypted reasoning on a reasoning model, statelessly, unless the variant says not to', () => {
    const on = { carry_reasoning: true, mode: 'stateless' as const };
    expect(asksForEncryptedReasoning(on, 'gpt-5-mini', undefined)).toBe(true);
    expect(asksForEncryptedReasoning(on, 'o4-mini', undefined)).toBe(true);
    expect(asksForEncryptedReasoning(on, 'sim-1', 'low')).toBe(true);
    expect(asksForEncryptedReasoning(on, 'gpt-5-mini', 'none')).toBe(false);
    expect(asksForEncryptedReasoning(on, 'gpt-4.1', undefined)).toBe(false);
    expect(asksForEncryptedReasoning({ ...on, carry_reasoning: false }, 'gpt-5-mini', 'high')).toBe(false);
    expect(asksForEncryptedReasoning({ ...on, mode: 'previous_response_id' }, 'gpt-5-mini', 'high')).toBe(
      false,
    );
  });

  it('keeps only reasoning it can resend without server state; everything with previous_response_id', () => {
    const items = [withContent, without, call];
    expect(historyItems(items, { carry_reasoning: true, mode: 'stateless' })).toEqual([withContent, call]);
    expect(historyItems(items, { carry_reasoning: false, mode: 'stateless' })).toEqual([call]);
    expect(historyItems(items, { carry_reasoning: false, mode: 'previous_response_id' })).toEqual(items);
  });
});
