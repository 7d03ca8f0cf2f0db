import { describe, expect, test } from 'vitest';
import { encodeCompaction } from '../../../src/sim/compaction/codec.js';
import { encodeReasoning, hiddenReasoningText } from '../../../src/sim/reasoning/codec.js';
import { renderResponsesRequest } from '../../../src/sim/responses/render.js';
import type { InputItem } from '../../../src/sim/responses/schema.js';
import { TokenCache } from '../../../src/sim/tokens/token-cache.js';

const tokens = new TokenCache();
const count = (items: InputItem[]) =>
  renderResponsesRequest([], null, items)
    .segments.flatMap((s) => s.pieces)
    .reduce((n, piece) => n + tokens.count(piece), 0);

const SUMMARY = 'Summary of the work so far: the parser was fixed and two tests still fail in the lexer.';
const compaction: InputItem = {
  type: 'compaction',
  encrypted_content: encodeCompaction({ v: 1, kind: 'auto', step: 2, task: null, summary: SUMMARY }),
};
const developer: InputItem = {
  type: 'message',
  role: 'developer',
  content: 'You are a coding agent. '.repeat(40),
};
const environment: InputItem = {
  type: 'message',
  role: 'user',
  content: '<environment_context>cwd=/w</environment_context>',
};
const task: InputItem = { type: 'message', role: 'user', content: 'Fix the lexer tests.' };
const call: InputItem = {
  type: 'function_call',
  call_id: 'c1',
  name: 'shell',
  arguments: '{"cmd":"make test"}',
};
const output: InputItem = { type: 'function_call_output', call_id: 'c1', output: 'FAILED (errors=2)' };

describe('every input item is counted', () => {
  test('items before a compaction item count as much as after it (Codex puts its context first)', () => {
    const codexOrder = count([developer, environment, task, compaction, call, output]);
    const compactionFirst = count([compaction, developer, environment, task, call, output]);
    expect(codexOrder).toBe(compactionFirst);
    expect(codexOrder).toBe(count([developer, environment, task, call, output]) + count([compaction]));
  });

  test('a compaction item counts as the summary it replaced; a foreign one as its content', () => {
    expect(count([compaction])).toBe(tokens.count('<|compaction|>\n') + tokens.count(SUMMARY));
    const foreign: InputItem = { type: 'compaction', encrypted_content: 'gAAAAB-opaque-content' };
    expect(count([foreign])).toBe(tokens.count('<|compaction|>\n') + tokens.count('gAAAAB-opaque-content'));
  });

  test('custom tool calls and their outputs count like function calls', () => {
    const custom: InputItem = {
      type: 'custom_tool_call',
      call_id: 'c2',
      name: 'apply_patch',
      input: '*** Begin Patch',
    };
    const customOut: InputItem = { type: 'custom_tool_call_output', call_id: 'c2', output: 'Done!' };
    expect(count([custom])).toBe(tokens.count('<|call|>apply_patch\n') + tokens.count('*** Begin Patch'));
    expect(count([customOut])).toBe(tokens.count('<|tool|>\n') + tokens.count('Done!'));
    const view = renderResponsesRequest([], null, [task, custom, customOut]).view;
    expect(view.callIds).toEqual(['c2']);
    expect(view.lastToolOutput).toBe('Done!');
  });

  test('a reasoning item counts as its summary and the reasoning tokens its content stands for', () => {
    const content = encodeReasoning({ v: 1, tokens: 120, response: 'resp_1' });
    const item: InputItem = {
      type: 'reasoning',
      id: 'rs_1',
      summary: [{ type: 'summary_text', text: 'Planning the fix.' }],
      encrypted_content: content,
    };
    const marker = tokens.count('<|reasoning|>\n');
    expect(count([item])).toBe(marker + tokens.count('Planning the fix.') + 120);
    expect(tokens.count(hiddenReasoningText(120))).toBe(120);
    const foreign: InputItem = { type: 'reasoning', id: 'rs_2', summary: [], encrypted_content: 'gAAAA-xyz' };
    expect(count([foreign])).toBe(marker + tokens.count('gAAAA-xyz'));
  });
});
