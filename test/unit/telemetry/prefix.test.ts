import { describe, expect, it } from 'vitest';
import type { ModelRequest, OutputItem, PromptItem } from '../../../src/model/types.js';
import { canonicalJson } from '../../../src/telemetry/hash.js';
import {
  checkPrefix,
  fingerprintOutput,
  fingerprintRequest,
  type PreviousPrompt,
} from '../../../src/telemetry/prefix.js';
import { outputItemsAsInput } from '../../../src/telemetry/prefix-items.js';
import { PrefixCheckSchema } from '../../../src/telemetry/records.js';
import {
  assistant,
  call,
  callOutput,
  charCounter,
  reasoning,
  request,
  TOOLS,
  tool,
  user,
} from './helpers.js';

const count = charCounter();

/** A stateless agent conversation: each turn resends the history with the last output and tool output. */
function conversation(
  turns: number,
  layout: (turn: number, items: PromptItem[]) => ModelRequest = (_t, items) => request(items),
) {
  let items: PromptItem[] = [user('Fix the failing test in calc.py')];
  const steps: { req: ModelRequest; output: OutputItem[] }[] = [];
  for (let turn = 1; turn <= turns; turn++) {
    const req = layout(turn, items);
    const output = [
      reasoning(`rs_${turn}`, `thinking ${turn}`),
      call(`c${turn}`, 'shell', `{"cmd":"step ${turn}"}`),
    ];
    steps.push({ req, output });
    items = [
      ...items,
      ...outputItemsAsInput(output),
      callOutput(`c${turn}`, `output of step ${turn}\n`.repeat(turn)),
    ];
  }
  return steps;
}

function previous(req: ModelRequest, output: OutputItem[]): PreviousPrompt {
  return {
    fingerprint: fingerprintRequest(req, count),
    ...fingerprintOutput(outputItemsAsInput(output), count),
  };
}

/** Check every turn of a conversation against the one before it. */
function checkAll(steps: { req: ModelRequest; output: OutputItem[] }[], compactedAt?: number) {
  return steps.map((step, i) => {
    const before = steps[i - 1];
    const prev = before ? previous(before.req, before.output) : null;
    const check = checkPrefix(prev, fingerprintRequest(step.req, count), {
      compactedSincePrevious: compactedAt === i + 1,
    });
    expect(PrefixCheckSchema.parse(check)).toEqual(check);
    return check;
  });
}

/** Estimated tokens of previous prompt + output from item `from` on (tools + instructions when from = -1). */
function shareableFrom(prevReq: ModelRequest, output: OutputItem[], from: number): number {
  const items = [...prevReq.input, ...outputItemsAsInput(output)];
  const itemTokens = items.slice(Math.max(0, from)).reduce((n, item) => n + canonicalJson(item).length, 0);
  if (from >= 0) return itemTokens;
  const head = prevReq.tools.reduce((n, t) => n + canonicalJson(t).length, prevReq.instructions.length);
  return head + itemTokens;
}

describe('checkPrefix', () => {
  it('reports the first turn as having nothing to extend', () => {
    const [first] = checkAll(conversation(1));
    expect(first).toEqual({
      extends_previous: null,
      diverged_at: null,
      reason: null,
      lost_tokens: null,
      detail: null,
    });
  });

  it('sees a stable stateless conversation as an exact extension on every turn', () => {
    const checks = checkAll(conversation(8));
    for (const check of checks.slice(1)) {
      expect(check).toEqual({
        extends_previous: true,
        diverged_at: null,
        reason: null,
        lost_tokens: 0,
        detail: null,
      });
    }
  });

  it('reports tools reordered at turn 5, naming what moved, and loses the whole shareable prompt', () => {
    const reordered = [TOOLS[1]!, TOOLS[0]!, TOOLS[2]!, TOOLS[3]!];
    const steps = conversation(6, (turn, items) => request(items, turn === 5 ? { tools: reordered } : {}));
    const checks = checkAll(steps);
    expect(checks[3]?.extends_previous).toBe(true);
    const turn5 = checks[4]!;
    expect(turn5.reason).toBe('tools_reordered');
    expect(turn5.diverged_at).toBe('tools');
    // Only the tools that moved are listed before the full orders.
    expect(turn5.detail).toMatch(
      /^tools reordered: apply_patch 1→0, shell 0→1 \(was \[shell, apply_patch, update_plan/,
    );
    expect(turn5.lost_tokens).toBe(shareableFrom(steps[3]!.req, steps[3]!.output, -1));
    // Turn 6 goes back to the original order: a break again, against turn 5.
    expect(checks[5]?.reason).toBe('tools_reordered');
  });

  it('reports a tool added, removed or redefined as tools_changed', () => {
    const [a, b] = conversation(2);
    const prev = previous(a!.req, a!.output);
    const added = checkPrefix(
      prev,
      fingerprintRequest({ ...b!.req, tools: [...TOOLS, tool('web_search')] }, count),
    );
    expect(added).toMatchObject({ extends_previous: false, diverged_at: 'tools', reason: 'tools_changed' });
    expect(added.detail).toContain('added web_search');

    const removed = checkPrefix(prev, fingerprintRequest({ ...b!.req, tools: TOOLS.slice(0, 3) }, count));
    expect(removed.reason).toBe('tools_changed');
    expect(removed.detail).toContain('removed read_file');

    const redefined = [
      TOOLS[0]!,
      tool('apply_patch', 'now with a different description'),
      TOOLS[2]!,
      TOOLS[3]!,
    ];
    const changed = checkPrefix(prev, fingerprintRequest({ ...b!.req, tools: redefined }, count));
    expect(changed.reason).toBe('tools_changed');
    expect(changed.detail).toContain('definition changed: apply_patch');
  });

  it('keeps the unchanged leading tools out of lost_tokens: all of them for an append, all tools for an instructions change', () => {
    const [a, b] = conversation(2);
    const prev = previous(a!.req, a!.output);
    const shareable = shareableFrom(a!.req, a!.output, -1);
    const toolTokens = (n: number) => TOOLS.slice(0, n).reduce((sum, t) => sum + canonicalJson(t).length, 0);
    const appended = checkPrefix(
      prev,
      fingerprintRequest({ ...b!.req, tools: [...TOOLS, tool('web_search')] }, count),
    );
    expect(appended).toMatchObject({ diverged_at: 'tools', reason: 'tools_changed' });
    expect(appended.lost_tokens).toBe(shareable - toolTokens(4));
    const third = [TOOLS[0]!, TOOLS[1]!, tool('update_plan', 'redefined'), TOOLS[3]!];
    const redefined = checkPrefix(prev, fingerprintRequest({ ...b!.req, tools: third }, count));
    expect(redefined.lost_tokens).toBe(shareable - toolTokens(2));
    const instructions = checkPrefix(prev, fingerprintRequest({ ...b!.req, instructions: 'Other.' }, count));
    expect(instructions).toMatchObject({ diverged_at: 'instructions' });
    expect(instructions.lost_tokens).toBe(shareable - toolTokens(4));
    const model = checkPrefix(prev, fingerprintRequest({ ...b!.req, model: 'gpt-4.1' }, count));
    expect(model.lost_tokens).toBe(shareable);
  });

  it('reports instructions carrying a timestamp as instructions_changed on every turn', () => {
    const steps = conversation(4, (turn, items) =>
      request(items, { instructions: `You are an agent.\nCurrent time: 2025-01-01T10:0${turn}:00Z` }),
    );
    for (const check of checkAll(steps).slice(1)) {
      expect(check).toMatchObject({
        extends_previous: false,
        diverged_at: 'instructions',
        reason: 'instructions_changed',
      });
      expect(check.lost_tokens).toBeGreaterThan(0);
    }
  });

  it('puts a model change first and lists the other head changes in the detail', () => {
    const [a, b] = conversation(2);
    const next = fingerprintRequest({ ...b!.req, model: 'gpt-5-mini', instructions: 'different' }, count);
    const check = checkPrefix(previous(a!.req, a!.output), next);
    expect(check.reason).toBe('model_changed');
    expect(check.diverged_at).toBe('model');
    expect(check.detail).toContain('gpt-5 → gpt-5-mini');
    expect(check.detail).toContain('instructions changed');
  });

  it('tells a prompt_cache_key change from other settings changes', () => {
    const [a, b] = conversation(2);
    const prev = previous(a!.req, a!.output);
    const key = checkPrefix(prev, fingerprintRequest({ ...b!.req, promptCacheKey: 'sample-2' }, count));
    expect(key).toMatchObject({ reason: 'prompt_cache_key_changed', diverged_at: 'settings' });
    expect(key.detail).toContain('sample-1 → sample-2');
    const effort = checkPrefix(prev, fingerprintRequest({ ...b!.req, reasoningEffort: 'high' }, count));
    expect(effort).toMatchObject({ reason: 'settings_changed', diverged_at: 'settings' });
    expect(effort.detail).toContain('reasoningEffort null → high');
    // Not cache-relevant: retention, output limit, compaction threshold, comparison id.
    const harmless = checkPrefix(
      prev,
      fingerprintRequest(
        {
          ...b!.req,
          promptCacheRetention: '24h',
          maxOutputTokens: 500,
          compactThreshold: 9000,
          comparisonResponseId: 'r1',
        },
        count,
      ),
    );
    expect(harmless.extends_previous).toBe(true);
  });

  it('finds an item edited in the middle of the history, with its index, kind and changed field', () => {
    const steps = conversation(5);
    const prevStep = steps[3]!;
    const edited = [...steps[4]!.req.input];
    const original = edited[3] as { type: 'function_call_output'; call_id: string; output: string };
    edited[3] = { ...original, output: 'rewritten output' };
    const check = checkPrefix(
      previous(prevStep.req, prevStep.output),
      fingerprintRequest(request(edited), count),
    );
    expect(check.reason).toBe('item_changed');
    expect(check.diverged_at).toBe(3);
    expect(check.detail).toBe(`item 3 (function_call_output/c1): output changed`);
    expect(check.lost_tokens).toBe(shareableFrom(prevStep.req, prevStep.output, 3));
  });

  it('names a user message edit as in the issue text', () => {
    const first = request([user('a'), user('b'), user('c'), user('d')]);
    const next = request([user('a'), user('b'), user('c'), user('D'), user('e')]);
    const check = checkPrefix(previous(first, []), fingerprintRequest(next, count));
    expect(check.detail).toBe('item 3 (message/user): content changed');
  });

  it('notices when the resent history drops a previous output item (reasoning)', () => {
    const [a, b] = conversation(2);
    const withoutReasoning = b!.req.input.filter((item) => item.type !== 'reasoning');
    const check = checkPrefix(
      previous(a!.req, a!.output),
      fingerprintRequest(request(withoutReasoning), count),
    );
    expect(check.reason).toBe('item_changed');
    expect(check.diverged_at).toBe(1);
    expect(check.detail).toBe(
      'item 1 (reasoning) (previous output item): was reasoning, now function_call/shell',
    );
  });

  it('reports a proper prefix of previous prompt + output as items_removed', () => {
    const steps = conversation(3);
    const prevStep = steps[1]!;
    const shorter = prevStep.req.input.slice(0, 2);
    const check = checkPrefix(
      previous(prevStep.req, prevStep.output),
      fingerprintRequest(request(shorter), count),
    );
    expect(check).toMatchObject({ extends_previous: false, diverged_at: 2, reason: 'items_removed' });
    expect(check.lost_tokens).toBe(shareableFrom(prevStep.req, prevStep.output, 2));
  });

  it('attributes a break inside the items to a compaction when told so, but not a head change', () => {
    const steps = conversation(4);
    const prevStep = steps[2]!;
    const compactedItems: PromptItem[] = [
      user('Fix the failing test in calc.py'),
      { type: 'compaction', encrypted_content: 'summary-blob' },
    ];
    const prev = previous(prevStep.req, prevStep.output);
    const check = checkPrefix(prev, fingerprintRequest(request(compactedItems), count), {
      compactedSincePrevious: true,
    });
    expect(check).toMatchObject({ extends_previous: false, diverged_at: 1, reason: 'compacted' });
    expect(check.detail).toBe('history compacted; item 1 (reasoning): was reasoning, now compaction');
    expect(check.lost_tokens).toBe(shareableFrom(prevStep.req, prevStep.output, 1));
    const withoutHint = checkPrefix(prev, fingerprintRequest(request(compactedItems), count));
    expect(withoutHint.reason).toBe('item_changed');
    const headToo = checkPrefix(
      prev,
      fingerprintRequest(request(compactedItems, { instructions: 'x' }), count),
      {
        compactedSincePrevious: true,
      },
    );
    expect(headToo.reason).toBe('instructions_changed');
  });

  it('ignores key order inside items and tools', () => {
    const [a, b] = conversation(2);
    const reKeyed = b!.req.input.map((item) =>
      Object.fromEntries(Object.entries(item).reverse()),
    ) as unknown as PromptItem[];
    const reKeyedTools = TOOLS.map((t) => ({
      parameters: t.parameters,
      strict: t.strict,
      name: t.name,
      description: t.description,
      type: t.type,
    }));
    const check = checkPrefix(
      previous(a!.req, a!.output),
      fingerprintRequest({ ...b!.req, input: reKeyed, tools: reKeyedTools }, count),
    );
    expect(check.extends_previous).toBe(true);
  });

  it('tokenises only items it has not seen before', () => {
    let calls = 0;
    const counting = (text: string) => {
      calls++;
      return text.length;
    };
    const steps = conversation(6);
    void fingerprintRequest(steps[4]!.req, counting).itemTokens;
    const before = calls;
    const fp = fingerprintRequest(steps[5]!.req, counting);
    expect(calls - before).toBe(0); // nothing is counted until a figure is read
    expect(fp.itemTokens).toEqual(steps[5]!.req.input.map((item) => canonicalJson(item).length));
    // Turn 6 adds 3 items (reasoning, call, call output) to turn 5's prompt.
    expect(calls - before).toBe(3);
  });
});

describe('outputItemsAsInput', () => {
  it('keeps what the model produced, drops optional bookkeeping, and freezes the result', () => {
    const items = outputItemsAsInput([
      reasoning('rs_1', 'plan'),
      call('c1', 'shell', '{"cmd":"ls"}'),
      assistant('msg_1', 'done'),
      { type: 'compaction', id: 'cmp_1', encrypted_content: 'blob', created_by: 'server' },
    ]);
    expect(items).toEqual([
      {
        type: 'reasoning',
        id: 'rs_1',
        summary: [{ type: 'summary_text', text: 'plan' }],
        encrypted_content: 'enc-rs_1',
      },
      { type: 'function_call', call_id: 'c1', name: 'shell', arguments: '{"cmd":"ls"}' },
      {
        type: 'message',
        id: 'msg_1',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: 'done', annotations: [] }],
      },
      { type: 'compaction', encrypted_content: 'blob' },
    ]);
    expect(Object.isFrozen(items[1])).toBe(true);
    expect(() => {
      (items[1] as { arguments: string }).arguments = 'x';
    }).toThrow(TypeError);
  });

  it('keeps a custom_tool_call; a history of custom calls and outputs extends its prefix every turn', () => {
    const custom = (id: string, input: string): OutputItem => ({
      type: 'custom_tool_call',
      id: `ctc_${id}`,
      call_id: id,
      name: 'apply_patch',
      input,
    });
    expect(outputItemsAsInput([custom('p1', '*** Begin Patch')])).toEqual([
      { type: 'custom_tool_call', call_id: 'p1', name: 'apply_patch', input: '*** Begin Patch' },
    ]);
    let items: PromptItem[] = [user('Patch the config')];
    const steps: { req: ModelRequest; output: OutputItem[] }[] = [];
    for (let turn = 1; turn <= 4; turn++) {
      const req = request(items);
      const output = [custom(`p${turn}`, `*** Begin Patch ${turn}`)];
      steps.push({ req, output });
      const answer: PromptItem = { type: 'custom_tool_call_output', call_id: `p${turn}`, output: 'Done!' };
      items = [...items, ...outputItemsAsInput(output), answer];
    }
    expect(
      checkAll(steps)
        .slice(1)
        .map((c) => c.extends_previous),
    ).toEqual([true, true, true]);
  });

  it('gives equal hashes for two conversions of the same output', () => {
    const output = [call('c1', 'shell', '{}')];
    const a = fingerprintOutput(outputItemsAsInput(output), count);
    const b = fingerprintOutput(outputItemsAsInput(output), count);
    expect(a.outputItemHashes).toEqual(b.outputItemHashes);
  });
});
