import { describe, expect, it } from 'vitest';
import { responseOf, tapFor } from '../../../src/agents/proxy/response-tap.js';

const sse = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const usage = {
  input_tokens: 100,
  output_tokens: 5,
  input_tokens_details: { cached_tokens: 64 },
  output_tokens_details: { reasoning_tokens: 2 },
};
const completed = {
  id: 'resp_1',
  model: 'sim-1',
  status: 'completed',
  output: [
    { type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' },
    { type: 'message', role: 'assistant', content: [] },
  ],
  usage,
  prompt_cache_diagnostics: { cache_hit: true },
};

describe('reading answers as they pass through the proxy', () => {
  it.each([
    ['responses', 'an event of the stream passed 67108864 bytes; the rest was not read'],
    ['chat', 'an event of the stream passed 67108864 bytes; the rest was not read'],
  ] as const)('%s: a stream with no event boundary is read up to 64 MiB, then left alone', (api, error) => {
    const tap = tapFor(api, 'text/event-stream');
    tap.write(Buffer.from('data: '));
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    for (let i = 0; i < 70; i++) tap.write(chunk); // 70 MiB of one unfinished line
    expect(tap.done).toBe(false);
    expect(responseOf(tap.raw()).error).toBe(error);
  });

  it('Responses over SSE, cut anywhere (even inside a character): id, first output, usage, calls, diagnostics', () => {
    const stream = Buffer.from(
      sse('response.created', { response: { id: 'resp_1' } }) +
        sse('response.output_text.delta', { delta: 'é' }) +
        sse('response.completed', { response: completed }),
    );
    const tap = tapFor('responses', 'text/event-stream; charset=utf-8');
    for (let i = 0; i < stream.length; i += 7) tap.write(stream.subarray(i, i + 7));
    expect(tap.done).toBe(true);
    expect(tap.firstOutputAt).not.toBeNull();
    expect(responseOf(tap.raw())).toMatchObject({
      id: 'resp_1',
      model: 'sim-1',
      usage: {
        inputTokens: 100,
        cachedTokens: 64,
        cacheWriteTokens: null,
        outputTokens: 5,
        reasoningTokens: 2,
      },
      toolCalls: 1,
      diagnostics: { cache_hit: true },
      incompleteReason: null,
      error: null,
    });
  });

  it('a failed response and a stream cut before its end are failures', () => {
    const failed = tapFor('responses', 'text/event-stream');
    failed.write(
      Buffer.from(
        sse('response.failed', { response: { ...completed, status: 'failed', error: { message: 'boom' } } }),
      ),
    );
    expect(responseOf(failed.raw()).error).toBe('boom');
    const cut = tapFor('responses', 'text/event-stream');
    cut.write(Buffer.from(sse('response.created', { response: { id: 'resp_2' } })));
    expect(responseOf(cut.raw())).toMatchObject({
      id: 'resp_2',
      usage: null,
      error: 'the stream ended before response.completed',
    });
  });

  it('an incomplete response keeps its reason', () => {
    const tap = tapFor('responses', 'text/event-stream');
    tap.write(
      Buffer.from(
        sse('response.incomplete', {
          response: {
            ...completed,
            status: 'incomplete',
            incomplete_details: { reason: 'max_output_tokens' },
          },
        }),
      ),
    );
    expect(responseOf(tap.raw())).toMatchObject({ incompleteReason: 'max_output_tokens', error: null });
  });

  it('a JSON answer (responses.compact) is read whole', () => {
    const tap = tapFor('compact', 'application/json');
    tap.write(
      Buffer.from(
        JSON.stringify({ id: 'cmp_1', output: [{ type: 'compaction', encrypted_content: 'x' }], usage }),
      ),
    );
    expect(responseOf(tap.raw())).toMatchObject({
      id: 'cmp_1',
      usage: { inputTokens: 100 },
      toolCalls: 0,
      error: null,
    });
  });

  it('Chat Completions chunks: tool calls counted by index, usage from the last chunk', () => {
    const chunk = (data: object) => `data: ${JSON.stringify(data)}\n\n`;
    const tap = tapFor('chat', 'text/event-stream');
    tap.write(
      Buffer.from(
        chunk({ id: 'c1', model: 'm', choices: [{ delta: { tool_calls: [{ index: 0 }, { index: 1 }] } }] }) +
          chunk({ id: 'c1', model: 'm', choices: [{ delta: { tool_calls: [{ index: 1 }] } }] }) +
          chunk({
            id: 'c1',
            choices: [],
            usage: { prompt_tokens: 50, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 0 } },
          }) +
          'data: [DONE]\n\n',
      ),
    );
    expect(responseOf(tap.raw())).toMatchObject({
      id: 'c1',
      toolCalls: 2,
      usage: { inputTokens: 50, cachedTokens: 0 },
      error: null,
    });
  });
});
