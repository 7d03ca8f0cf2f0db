import { describe, expect, it } from 'vitest';
import { applyPerturbation } from '../../../src/agent/perturb.js';
import { preambleItems } from '../../../src/agent/prompt.js';
import { logicalRequest } from '../../../src/agent/request.js';
import { VariantSchema } from '../../../src/config/index.js';
import { chatBody } from '../../../src/model/chat-client.js';
import { responsesBody } from '../../../src/model/responses-client.js';

const variant = (fields: Record<string, unknown>) =>
  VariantSchema.parse({ name: 'v', instructions: 'x', ...fields });

function bodies(fields: Record<string, unknown>, comparisonResponseId: string | null = null) {
  const v = variant(fields);
  const shape = { model: v.model, tools: [], items: [], reasoningEffort: undefined, promptCacheKey: 'k' };
  const request = logicalRequest(v, shape, 'x', { serverCompactThreshold: undefined, comparisonResponseId });
  return { responses: responsesBody(request), chat: chatBody(request) };
}

describe('a variant’s prompt-cache settings on the wire', () => {
  it('sends prompt_cache_options (mode, ttl) with the diagnostics’ comparison id in one object', () => {
    const { responses } = bodies(
      { prompt_cache_options: { mode: 'explicit', ttl: '12h' }, cache_diagnostics: true },
      'resp_1',
    );
    expect(responses.prompt_cache_options).toEqual({
      mode: 'explicit',
      ttl: '12h',
      comparison_response_id: 'resp_1',
    });
    expect(bodies({ cache_diagnostics: true }, 'resp_1').responses.prompt_cache_options).toEqual({
      comparison_response_id: 'resp_1',
    });
    expect(bodies({}).responses.prompt_cache_options).toBeUndefined();
  });

  it('sends mode, 30-minute ttl and retention to Chat Completions too', () => {
    const { chat } = bodies({
      api: 'chat',
      prompt_cache_options: { mode: 'explicit', ttl: '30m' },
      prompt_cache_retention: '24h',
    });
    expect(chat.prompt_cache_options).toEqual({ mode: 'explicit', ttl: '30m' });
    expect(chat.prompt_cache_retention).toBe('24h');
    expect(bodies({ api: 'chat' }).chat.prompt_cache_options).toBeUndefined();
  });

  it('refuses a 12-hour ttl with Chat Completions, and an unknown ttl or mode', () => {
    const chat12h = VariantSchema.safeParse({
      name: 'v',
      instructions: 'x',
      api: 'chat',
      prompt_cache_options: { ttl: '12h' },
    });
    expect(chat12h.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['prompt_cache_options.ttl', 'Chat Completions takes ttl 30m only (12h needs api: responses)'],
    ]);
    expect(
      VariantSchema.safeParse({ name: 'v', instructions: 'x', prompt_cache_options: { ttl: '24h' } }).success,
    ).toBe(false);
    expect(
      VariantSchema.safeParse({ name: 'v', instructions: 'x', prompt_cache_options: { mode: 'auto' } })
        .success,
    ).toBe(false);
  });

  it('puts an explicit breakpoint on each item the layout names, and on no other', () => {
    const v = variant({
      developer_message: 'dev',
      layout: { order: ['developer', 'environment', 'task'], cache_breakpoints: ['developer', 'task'] },
    });
    const items = preambleItems(v, 'the task', { cwd: '/w', shell: 'bash', network: false });
    const marked = items.map((item) =>
      'content' in item && Array.isArray(item.content)
        ? item.content.some((part) => 'prompt_cache_breakpoint' in part)
        : false,
    );
    expect(marked).toEqual([true, false, true]);
    expect(items[0]).toMatchObject({ content: [{ prompt_cache_breakpoint: { mode: 'explicit' } }] });
  });

  it('keeps the breakpoint of an environment item that a perturbation edits', () => {
    const v = variant({ layout: { order: ['environment', 'task'], cache_breakpoints: ['environment'] } });
    const env = { cwd: '/w', shell: 'bash', network: false };
    const items = preambleItems(v, 'the task', env);
    const shape = { model: 'm', tools: [], items, reasoningEffort: undefined, promptCacheKey: undefined };
    const edited = applyPerturbation({ at_turn: 2, change: 'edit_environment' }, 2, shape, env, new Date(0));
    expect(edited.items[0]).not.toEqual(items[0]);
    expect(edited.items[0]).toMatchObject({
      content: [
        { text: expect.stringContaining('<current_date>'), prompt_cache_breakpoint: { mode: 'explicit' } },
      ],
    });
  });
});
