import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import { afterEach, describe, expect, test } from 'vitest';
import type { SimServer } from '../../../src/sim/index.js';
import { startSim, variedText } from './helpers.js';

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const TASK = 'List the files, then answer.';
const tools = [
  {
    type: 'function' as const,
    function: { name: 'shell', description: 'run a command', parameters: { type: 'object', properties: {} } },
  },
];

describe('POST /v1/chat/completions', () => {
  test('non-streaming: tool calls, then the final message; cached tokens reported', async () => {
    const s = await startSim();
    sim = s.sim;
    s.sim.scripts.register(TASK, { steps: [{ shell: 'ls' }], final: 'Two files.', reasoning_tokens: 3 });
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: variedText('sys', 1200) },
      { role: 'user', content: TASK },
    ];
    const c1: ChatCompletion = await s.client.chat.completions.create({ model: 'sim-1', messages, tools });
    expect(c1.object).toBe('chat.completion');
    const choice = c1.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    const call = choice?.message.tool_calls?.[0];
    if (call?.type !== 'function') throw new Error('expected a function tool call');
    expect(call.function.name).toBe('shell');
    expect(c1.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
    expect(c1.usage?.completion_tokens_details?.reasoning_tokens).toBe(3);

    messages.push({ role: 'assistant', content: null, tool_calls: [call] });
    messages.push({ role: 'tool', tool_call_id: call.id, content: 'a.txt b.txt' });
    const c2 = await s.client.chat.completions.create({ model: 'sim-1', messages, tools });
    expect(c2.choices[0]?.finish_reason).toBe('stop');
    expect(c2.choices[0]?.message.content).toBe('Two files.');
    const cached = c2.usage?.prompt_tokens_details?.cached_tokens ?? 0;
    expect(cached).toBeGreaterThan(1024);
    expect(cached % 128).toBe(0);
  });

  test('streaming with include_usage: deltas reassemble the tool call; a final usage chunk', async () => {
    const s = await startSim();
    sim = s.sim;
    s.sim.scripts.register(TASK, {
      steps: [{ shell: 'ls -la' }],
      final: 'Done listing.',
      reasoning_tokens: 0,
    });
    const stream = await s.client.chat.completions.create({
      model: 'sim-1',
      messages: [{ role: 'user', content: TASK }],
      tools,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    const args = chunks
      .flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])
      .map((t) => t.function?.arguments ?? '')
      .join('');
    expect(JSON.parse(args)).toEqual({ command: ['bash', '-lc', 'ls -la'] });
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('tool_calls');
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(last?.usage?.prompt_tokens_details?.cached_tokens).toBe(0);

    const textStream = await s.client.chat.completions.create({
      model: 'sim-1',
      messages: [{ role: 'user', content: 'no script here' }],
      stream: true,
    });
    let text = '';
    for await (const c of textStream) {
      text += c.choices[0]?.delta.content ?? '';
      expect(c.usage ?? null).toBeNull();
    }
    expect(text).toBe('Done.');
  });
});
