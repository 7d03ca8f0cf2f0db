import { describe, expect, it } from 'vitest';
import type { PromptItem } from '../../../src/model/types.js';
import { describePromptChange, sideBySide } from '../../../src/telemetry/prompt-diff.js';
import { call, callOutput, request, TOOLS, tool, user } from './helpers.js';

describe('describePromptChange', () => {
  const history: PromptItem[] = [user('Fix the test'), callOutput('c0', 'ok')];
  const output = [call('c1', 'shell', '{"cmd":"pytest"}')];
  const extended: PromptItem[] = [
    ...history,
    { type: 'function_call', call_id: 'c1', name: 'shell', arguments: '{"cmd":"pytest"}' },
    callOutput('c1', '1 passed'),
  ];

  it('says so when the next prompt extends previous prompt + output', () => {
    const text = describePromptChange(request(history), request(extended), output);
    expect(text).toBe('input: extends the previous prompt + output (+1 new item(s))');
  });

  it('shows a tool reorder and a tool definition change', () => {
    const next = request(extended, {
      tools: [TOOLS[1]!, TOOLS[0]!, tool('update_plan', 'plans'), TOOLS[3]!],
    });
    const text = describePromptChange(request(history), next, output);
    expect(text).toContain(
      'tools order: [shell, apply_patch, update_plan, read_file] → [apply_patch, shell, update_plan, read_file]',
    );
    expect(text).toContain('tool update_plan definition changed:');
    expect(text).toContain('  -  "description": "the update_plan tool",');
    expect(text).toContain('  +  "description": "plans",');
  });

  it('shows an instructions change as a line diff with context', () => {
    const lines = (stamp: string) =>
      [
        'You are an agent.',
        'Rule 1',
        'Rule 2',
        'Rule 3',
        'Rule 4',
        `Time: ${stamp}`,
        'Rule 5',
        'Rule 6',
        'Rule 7',
        'Rule 8',
        'Rule 9',
      ].join('\n');
    const text = describePromptChange(
      request(history, { instructions: lines('10:00') }),
      request(extended, { instructions: lines('10:01') }),
      output,
    );
    expect(text).toContain('instructions changed:');
    expect(text).toContain('  -Time: 10:00\n  +Time: 10:01');
    expect(text).toContain('   Rule 2');
    expect(text).not.toContain('Rule 9');
    expect(text).not.toContain('You are an agent.');
  });

  it('shows model and settings changes', () => {
    const text = describePromptChange(
      request(history),
      request(extended, { model: 'gpt-5-mini', reasoningEffort: 'high', promptCacheKey: 'run-2' }),
      output,
    );
    expect(text).toContain('model: gpt-5 → gpt-5-mini');
    expect(text).toContain('prompt_cache_key: sample-1 → run-2');
    expect(text).toContain('reasoning effort: (default) → high');
  });

  it('shows the first differing item side by side', () => {
    const edited: PromptItem[] = [user('Fix the test, and be quick about it'), ...extended.slice(1)];
    const text = describePromptChange(request(history), request(edited), output);
    expect(text).toContain('input: first difference at item 0: message/user → message/user');
    const changedRow = text.split('\n').find((line) => line.includes(' | '));
    expect(changedRow).toContain('"text": "Fix the test"');
    expect(changedRow).toContain('"text": "Fix the test, and be quick about it"');
  });

  it('reports a history that stops short', () => {
    const text = describePromptChange(request(history), request(history.slice(0, 1)), output);
    expect(text).toContain('input: ends after item 0; previous prompt + output went on with 2 more item(s)');
  });
});

describe('sideBySide', () => {
  it('aligns equal lines, marks changes, and centres a long changed line on its first difference', () => {
    const long = 'x'.repeat(200);
    const text = sideBySide(
      ['{', `  "a": "${long}A"`, '  "b": 1', '}'],
      ['{', `  "a": "${long}B"`, '  "b": 1', '}'],
    );
    const rows = text.split('\n');
    expect(rows[0]).toMatch(/^ {2}previous +next$/);
    const changed = rows.find((row) => row.includes(' | '))!;
    expect(changed).toContain('A"');
    expect(changed).toContain('B"');
    expect(rows.some((row) => row.includes('"b": 1'))).toBe(true);
  });

  it('marks lines only on one side', () => {
    const text = sideBySide(['a', 'b'], ['a', 'b', 'c']);
    expect(text.split('\n').some((row) => row.trimEnd().endsWith('> c'))).toBe(true);
  });
});
