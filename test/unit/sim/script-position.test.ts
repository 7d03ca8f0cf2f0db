import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, test } from 'vitest';
import type { SimScript } from '../../../src/config/index.js';
import { hiddenReasoningText } from '../../../src/sim/reasoning/codec.js';
import { type ConversationView, emptyView } from '../../../src/sim/script/conversation.js';
import { planTurn } from '../../../src/sim/script/plan.js';
import { SimScriptRegistry, taskKeyHash } from '../../../src/sim/script/registry.js';
import { isSummaryRequest } from '../../../src/sim/script/summary.js';

const TASK = 'Repair the build.';
const SCRIPT: SimScript = {
  steps: [
    { shell: 'make' },
    { shell: 'cat build.log', when: { output_contains: 'error' } },
    {
      parallel: [
        { tool: 'read_file', args: { path: 'a.c' } },
        { tool: 'read_file', args: { path: 'b.c' } },
        { tool: 'read_file', args: { path: 'c.c' } },
      ],
      say: 'Reading the sources.',
    },
    { tool: 'apply_patch', args: { input: '*** Begin Patch\n*** End Patch\n' } },
  ],
  final: 'Build repaired.',
  reasoning_tokens: 0,
};

function registry(): SimScriptRegistry {
  const r = new SimScriptRegistry();
  r.register(TASK, SCRIPT);
  return r;
}

function view(over: Partial<ConversationView>): ConversationView {
  return { ...emptyView(), userTexts: [TASK], toolCount: 3, ...over };
}

const callsOf = (r: ReturnType<typeof planTurn>) =>
  r.plan.kind === 'calls'
    ? r.plan.calls.map((c) => `${c.name}:${c.callId.split('_').slice(1, 3).join('_')}`)
    : [];

describe('where the script stands', () => {
  test('a condition is checked on the last tool output; the step after a skipped one follows', () => {
    const failing = planTurn(
      view({ callIds: ['call_s0_0_x'], lastToolOutput: 'error: missing ;' }),
      registry(),
      1,
    );
    expect(failing.plan.kind === 'calls' && failing.plan.step).toBe(1);
    const passing = planTurn(view({ callIds: ['call_s0_0_x'], lastToolOutput: 'ok' }), registry(), 1);
    expect(passing.plan.kind === 'calls' && passing.plan.step).toBe(2);
    expect(callsOf(passing)).toEqual(['read_file:s2_0', 'read_file:s2_1', 'read_file:s2_2']);
  });

  test('parallel_tool_calls false: one call per response, the rest of the step follows in order', () => {
    const r = registry();
    const one = { parallelToolCalls: false };
    const before = ['call_s0_0_x', 'call_s1_0_x'];
    const first = planTurn(view({ callIds: before, lastToolOutput: 'log' }), r, 1, one);
    expect(callsOf(first)).toEqual(['read_file:s2_0']);
    expect(first.plan.kind === 'calls' && first.plan.say).toBe('Reading the sources.');
    // the rest of a begun step needs no condition check and repeats no commentary
    const second = planTurn(
      view({ callIds: [...before, 'call_s2_0_x'], lastToolOutput: 'int a;' }),
      r,
      1,
      one,
    );
    expect(callsOf(second)).toEqual(['read_file:s2_1']);
    expect(second.plan.kind === 'calls' && second.plan.say).toBeNull();
    const third = planTurn(view({ callIds: [...before, 'call_s2_0_x', 'call_s2_1_x'] }), r, 1, one);
    expect(callsOf(third)).toEqual(['read_file:s2_2']);
    const next = planTurn(
      view({ callIds: [...before, 'call_s2_0_x', 'call_s2_1_x', 'call_s2_2_x'] }),
      r,
      1,
      one,
    );
    expect(callsOf(next)).toEqual(['apply_patch:s3_0']);
    // the same call ids as a parallel response would have had
    const parallel = planTurn(view({ callIds: before }), r, 1);
    expect(parallel.plan.kind === 'calls' && parallel.plan.calls[1]?.callId).toBe(
      second.plan.kind === 'calls' ? second.plan.calls[0]?.callId : 'none',
    );
  });

  test('a summary records the next action; after a compaction the script resumes there, not from the start', () => {
    const r = registry();
    // step 0 failed: step 1 is next, chosen because the output said "error"
    const asked = view({
      callIds: ['call_s0_0_x'],
      lastToolOutput: 'error: missing ;',
      toolCount: 0,
      lastUserText: 'You are performing a CONTEXT CHECKPOINT COMPACTION. Create a handoff summary.',
    });
    const summary = planTurn(asked, r, 1);
    expect(summary.plan.kind).toBe('message');
    const text = summary.plan.kind === 'message' ? summary.plan.text : '';
    expect(text).toContain('[sim-progress:0] [sim-next:1.0]');
    expect(text).toContain(`Task: ${TASK}`);
    // the compacted history: the task and the summary, no tool output to check step 1's condition on
    const resumed = planTurn(view({ userTexts: [TASK, `Another model's summary:\n${text}`] }), r, 1);
    expect(callsOf(resumed)).toEqual(['shell:s1_0']);
  });

  test('a compaction in the middle of a one-call-at-a-time step resumes with that step’s next call', () => {
    const r = registry();
    const one = { parallelToolCalls: false };
    const asked = view({
      callIds: ['call_s0_0_x', 'call_s1_0_x', 'call_s2_0_x'],
      lastToolOutput: 'int a;',
      toolCount: 0,
      lastUserText: 'Summarize the conversation so far.',
    });
    const text = (p: ReturnType<typeof planTurn>) => (p.plan.kind === 'message' ? p.plan.text : '');
    const summary = planTurn(asked, r, 1, one);
    expect(text(summary)).toContain('[sim-progress:1] [sim-next:2.1]');
    const resumed = planTurn(view({ assistantTexts: [text(summary)] }), r, 1, one);
    expect(callsOf(resumed)).toEqual(['read_file:s2_1']);
    // a compaction item records the same position
    const state = {
      v: 1 as const,
      kind: 'auto' as const,
      step: 1,
      next: [2, 1] as [number, number],
      task: taskKeyHash(TASK),
      summary: 's',
    };
    const fromItem = planTurn({ ...emptyView(), toolCount: 3, compactions: [state] }, r, 1, one);
    expect(callsOf(fromItem)).toEqual(['read_file:s2_1']);
  });

  test('at the end the summary says the final answer is next, and the final message follows', () => {
    const r = registry();
    const all = ['call_s0_0_x', 'call_s1_0_x', 'call_s2_0_x', 'call_s2_1_x', 'call_s2_2_x', 'call_s3_0_x'];
    const summary = planTurn(view({ callIds: all, toolCount: 0, lastUserText: 'Summarize the work.' }), r, 1);
    const text = summary.plan.kind === 'message' ? summary.plan.text : '';
    expect(text).toContain('Next: the final answer. [sim-progress:3] [sim-next:4.0]');
    expect(planTurn(view({ assistantTexts: [text] }), r, 1).plan).toEqual({
      kind: 'message',
      text: 'Build repaired.',
      summary: false,
    });
  });

  test('a request no script covers gets a plain answer, and a summary when it asks for one', () => {
    const r = registry();
    expect(planTurn({ ...emptyView(), userTexts: ['hello'], lastUserText: 'hello' }, r, 1).plan).toEqual({
      kind: 'message',
      text: 'Done.',
      summary: false,
    });
    const summary = planTurn(
      { ...emptyView(), userTexts: ['hello', 'Summarize.'], lastUserText: 'Summarize.' },
      r,
      1,
    );
    expect(summary.plan).toMatchObject({ kind: 'message', summary: true });
  });
});

describe('what a summary request is', () => {
  const asks = (text: string, toolCount = 0, r = registry()) =>
    isSummaryRequest({ ...emptyView(), lastUserText: text, toolCount }, r);

  test('recognised by what it asks for: an imperative, a handoff summary, a summary of the conversation with no tools', () => {
    expect(asks('Summarize the conversation so far.', 5)).toBe(true);
    expect(asks('please summarise what happened', 5)).toBe(true);
    expect(
      asks(
        'You are performing a CONTEXT CHECKPOINT COMPACTION. Create a handoff summary for another LLM that will resume the task.\n\nInclude:\n- Current progress',
      ),
    ).toBe(true);
    expect(asks('Write a brief summary of this session so another agent can continue the work.')).toBe(true);
    // a client that keeps its tools on the compaction request is recognised too
    expect(asks('Create a handoff summary for another LLM that will resume the task.', 4)).toBe(true);
    expect(asks('Provide a short summary of the conversation so far.')).toBe(true);
  });

  test('not a task that mentions a summary, nor a summary itself', () => {
    expect(asks('Add a summary line to the report.')).toBe(false);
    expect(asks('Provide a short summary of the conversation so far.', 4)).toBe(false);
    expect(
      asks('Another language model started to solve this problem and produced a summary of its thinking.', 4),
    ).toBe(false);
    expect(asks('Summary of the work so far. Task: x. [sim-progress:2] [sim-next:3.0]')).toBe(false);
    const r = new SimScriptRegistry();
    r.register('Summarize the log file.', SCRIPT);
    expect(asks('Summarize the log file.', 0, r)).toBe(false);
  });
});

describe('script lookup', () => {
  test('normalises both sides: trailing whitespace and newlines, CRLF', () => {
    const r = new SimScriptRegistry();
    r.register('Fix the bug.\n', SCRIPT);
    expect(r.find('Fix the bug.')).toBeDefined();
    expect(r.find('Fix the bug.\r\n\n  ')).toBeDefined();
    expect(r.find('Fix the bug')).toBeUndefined();
    r.register('Line one\r\nline two', SCRIPT);
    expect(r.find('Line one\nline two\n')).toBeDefined();
    expect(taskKeyHash('Fix the bug.\n')).toBe(taskKeyHash('Fix the bug.'));
  });
});

describe('hidden reasoning', () => {
  test('the stand-in text has exactly as many tokens as the reasoning it stands for', () => {
    for (const n of [0, 1, 2, 24, 500]) expect(countTokens(hiddenReasoningText(n))).toBe(n);
  });
});
