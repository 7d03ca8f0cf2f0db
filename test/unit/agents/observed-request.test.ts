import { describe, expect, it } from 'vitest';
import { SUMMARY_PROMPT } from '../../../src/agent/index.js';
import { parseObservedRequest } from '../../../src/agents/index.js';

const user = (text: string) => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });
const tools = [{ type: 'function', name: 'exec_command', parameters: {} }];

describe('the kind of an intercepted request, read from the request itself', () => {
  it('an ordinary turn', () => {
    const r = parseObservedRequest('responses', { model: 'm', input: [user('do it')], tools, stream: true });
    expect(r).toMatchObject({ kind: 'agent', method: null, model: 'm', stream: true });
    expect(r.request.tools.map((t) => t.name)).toEqual(['exec_command']);
  });

  it('a streamed turn ending in compaction_trigger is a compaction (trigger)', () => {
    const r = parseObservedRequest('responses', {
      model: 'm',
      input: [user('x'), { type: 'compaction_trigger' }],
      tools,
    });
    expect(r).toMatchObject({ kind: 'compaction', method: 'trigger' });
  });

  it('generate: false is a warm-up (a prefill with no output)', () => {
    expect(
      parseObservedRequest('responses', { model: 'm', input: [user('x')], generate: false }),
    ).toMatchObject({
      kind: 'warmup',
      method: null,
    });
  });

  it('POST /responses/compact is a compaction (endpoint)', () => {
    expect(parseObservedRequest('compact', { model: 'm', input: [user('x')] })).toMatchObject({
      kind: 'compaction',
      method: 'endpoint',
    });
  });

  it("Codex's inline compaction prompt, turnbench's summary prompt and a plain 'Summarize' are summaries", () => {
    const codex =
      'You are performing a CONTEXT CHECKPOINT COMPACTION. Create a handoff summary for another LLM that will resume the task.';
    for (const text of [codex, SUMMARY_PROMPT, 'Summarize the conversation so far.']) {
      expect(
        parseObservedRequest('responses', { model: 'm', input: [user('task'), user(text)], tools: [] }).kind,
      ).toBe('summary');
    }
    // a message that is a summary (left by a compaction) is not a request for one
    expect(
      parseObservedRequest('responses', { model: 'm', input: [user('Summary of the work so far: done')] })
        .kind,
    ).toBe('agent');
  });

  it('Chat Completions: messages are the prompt; usage in the stream is noted as asked for or not', () => {
    const r = parseObservedRequest('chat', {
      model: 'm',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'hi' },
      ],
      stream: true,
    });
    expect(r).toMatchObject({ api: 'chat', kind: 'agent', chatUsageRequested: false });
    expect(r.request.input).toHaveLength(2);
    expect(
      parseObservedRequest('chat', {
        model: 'm',
        messages: [],
        stream: true,
        stream_options: { include_usage: true },
      }).chatUsageRequested,
    ).toBe(true);
  });

  it('reads model, effort, cache key and chaining; a bad body is refused naming the field', () => {
    const r = parseObservedRequest('responses', {
      model: 'm',
      input: 'hello',
      reasoning: { effort: 'high', summary: 'auto' },
      prompt_cache_key: 'k',
      previous_response_id: 'resp_1',
    });
    expect(r.request).toMatchObject({ reasoningEffort: 'high', promptCacheKey: 'k' });
    expect(r.previousResponseId).toBe('resp_1');
    expect(r.request.input).toEqual([{ type: 'message', role: 'user', content: 'hello' }]);
    expect(() => parseObservedRequest('responses', { input: [] })).toThrow(/model/);
  });
});
