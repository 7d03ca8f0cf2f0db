import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { zodTextFormat } from 'openai/helpers/zod';
import type {
  Response,
  ResponseCustomToolCall,
  ResponseFunctionToolCall,
  ResponseInputItem,
  ResponseReasoningItem,
  Tool,
} from 'openai/resources/responses/responses';
import { afterEach, describe, expect, test } from 'vitest';
import * as z from 'zod';
import type { SimServer } from '../../../src/sim/index.js';
import { readSdkWireTypes } from '../../helpers/sdk-types.js';
import { appendTurn, collect, startSim } from './helpers.js';

/**
 * The request options a real client relies on, through the real `openai` SDK over HTTP:
 * `parallel_tool_calls: false`, JSON-schema answers, reasoning items with `encrypted_content`,
 * custom (freeform) tool calls, and every field of the SDK's `Response`.
 */

const TASK = 'Patch the three configs.';
const PATCH = '*** Begin Patch\n*** Add File: a.txt\n+hello\n*** End Patch\n';

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function withScript() {
  const s = await startSim({ seed: 5 });
  sim = s.sim;
  s.sim.scripts.register(TASK, {
    steps: [
      {
        parallel: [
          { tool: 'read_file', args: { path: 'a.toml' } },
          { tool: 'read_file', args: { path: 'b.toml' } },
          { tool: 'read_file', args: { path: 'c.toml' } },
        ],
      },
      { tool: 'apply_patch', args: { input: PATCH } },
    ],
    final: 'Patched all three.',
    reasoning_tokens: 40,
  });
  return s;
}

const READ_FILE: Tool = {
  type: 'function',
  name: 'read_file',
  parameters: { type: 'object', properties: { path: { type: 'string' } } },
  strict: false,
};
const APPLY_PATCH_CUSTOM: Tool = {
  type: 'custom',
  name: 'apply_patch',
  description: 'Edit files with a patch (freeform).',
};

const functionCalls = (r: Response) =>
  r.output.filter((o): o is ResponseFunctionToolCall => o.type === 'function_call');

describe('parallel_tool_calls: false', () => {
  test('one call per response; the rest of the step comes in the next responses, in order', async () => {
    const { client } = await withScript();
    const history: ResponseInputItem[] = [{ role: 'user', content: TASK }];
    const paths: string[] = [];
    for (let turn = 0; turn < 3; turn++) {
      const r = await client.responses.create({
        model: 'sim-1',
        input: history,
        tools: [READ_FILE],
        parallel_tool_calls: false,
        store: false,
      });
      expect(r.parallel_tool_calls).toBe(false);
      const calls = functionCalls(r);
      expect(calls).toHaveLength(1);
      paths.push((JSON.parse(calls[0]?.arguments ?? '{}') as { path: string }).path);
      appendTurn(history, r.output, () => 'key = 1');
    }
    expect(paths).toEqual(['a.toml', 'b.toml', 'c.toml']);
    const next = await client.responses.create({
      model: 'sim-1',
      input: history,
      parallel_tool_calls: false,
    });
    expect(functionCalls(next).map((c) => c.name)).toEqual(['apply_patch']);

    // with parallel calls allowed, the whole step comes at once
    const parallel = await client.responses.create({ model: 'sim-1', input: TASK, tools: [READ_FILE] });
    expect(functionCalls(parallel)).toHaveLength(3);
  });
});

describe('text.format with a JSON schema', () => {
  const Report = z.object({
    status: z.enum(['fixed', 'failed']),
    files: z.array(z.object({ path: z.string(), lines: z.number().int().min(1) })).min(1),
    note: z.string().nullable(),
  });

  test('the answer is JSON valid for the schema, the same for the same request (SDK parse helper)', async () => {
    const { client } = await withScript();
    const request = {
      model: 'sim-1',
      input: 'Report on the work as JSON.',
      text: { format: zodTextFormat(Report, 'report') },
    };
    const first = await client.responses.parse(request);
    expect(Report.parse(first.output_parsed)).toEqual(first.output_parsed);
    // validated once more against the JSON schema as sent, with zod's own JSON-schema reader
    const sent = zodTextFormat(Report, 'report');
    expect(
      z.fromJSONSchema(sent.schema as Parameters<typeof z.fromJSONSchema>[0]).safeParse(first.output_parsed)
        .success,
    ).toBe(true);
    const again = await client.responses.parse(request);
    expect(again.output_text).toBe(first.output_text);
    expect(first.text?.format).toMatchObject({ type: 'json_schema', name: 'report' });
  });

  test("a script's final answer that already fits the schema is sent verbatim; json_object wraps plain text", async () => {
    const s = await startSim();
    sim = s.sim;
    const answer = '{"status":"fixed","files":[{"path":"a.py","lines":3}],"note":null}';
    s.sim.scripts.register('Fix and report.', { steps: [], final: answer, reasoning_tokens: 0 });
    const r = await s.client.responses.parse({
      model: 'sim-1',
      input: 'Fix and report.',
      text: { format: zodTextFormat(Report, 'report') },
    });
    expect(r.output_text).toBe(answer);
    const plain = await s.client.responses.create({
      model: 'sim-1',
      input: 'anything',
      text: { format: { type: 'json_object' } },
    });
    expect(JSON.parse(plain.output_text)).toEqual({ answer: 'Done.' });
  });
});

describe('reasoning items', () => {
  test('with include reasoning.encrypted_content: summary and content; resent byte-identical, they are counted', async () => {
    const { client } = await withScript();
    const task: ResponseInputItem[] = [{ role: 'user', content: TASK }];
    const r1 = await client.responses.create({
      model: 'gpt-5.5',
      input: task,
      tools: [READ_FILE],
      reasoning: { effort: 'low', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
      store: false,
    });
    const reasoning = r1.output[0] as ResponseReasoningItem;
    expect(reasoning.type).toBe('reasoning');
    expect(reasoning.id).toMatch(/^rs_/);
    expect(reasoning.summary[0]?.text).toMatch(/read_file/);
    expect(reasoning.encrypted_content).toMatch(/^simr1\./);
    expect(r1.usage?.output_tokens_details.reasoning_tokens).toBe(40);

    // the next request with the reasoning item resent costs exactly its reasoning and summary more
    const withItem: ResponseInputItem[] = [...task];
    appendTurn(withItem, r1.output, () => 'k = 1');
    const withoutItem = withItem.filter((i) => i.type !== 'reasoning');
    const body = { model: 'gpt-5.5', tools: [READ_FILE], store: false };
    const a = await client.responses.create({ ...body, input: withItem });
    const b = await client.responses.create({ ...body, input: withoutItem });
    const itemTokens = countTokens('<|reasoning|>\n') + countTokens(reasoning.summary[0]?.text ?? '') + 40;
    expect((a.usage?.input_tokens ?? 0) - (b.usage?.input_tokens ?? 0)).toBe(itemTokens);
  });

  test('streamed: summary events, and the SDK stream helper assembles the same item', async () => {
    const { client } = await withScript();
    const stream = client.responses.stream({
      model: 'gpt-5.5',
      input: TASK,
      tools: [READ_FILE],
      reasoning: { summary: 'detailed' },
      include: ['reasoning.encrypted_content'],
    });
    const types: string[] = [];
    for await (const e of stream) types.push(e.type);
    const final = await stream.finalResponse();
    expect(types).toEqual(
      expect.arrayContaining([
        'response.reasoning_summary_part.added',
        'response.reasoning_summary_text.delta',
        'response.reasoning_summary_text.done',
        'response.reasoning_summary_part.done',
      ]),
    );
    expect(final.output[0]?.type).toBe('reasoning');
    expect(final.reasoning).toMatchObject({ effort: 'medium', summary: 'detailed' });
  });

  test('no encrypted content unless asked; models that keep reasoning hidden emit no item', async () => {
    const { client } = await withScript();
    const plain = await client.responses.create({ model: 'gpt-5.5', input: TASK, tools: [READ_FILE] });
    const item = plain.output[0] as ResponseReasoningItem;
    expect(item.type).toBe('reasoning');
    expect(item.encrypted_content).toBeUndefined();
    expect(item.summary).toEqual([]);
    const hidden = await client.responses.create({ model: 'sim-1', input: TASK, tools: [READ_FILE] });
    expect(hidden.output.some((o) => o.type === 'reasoning')).toBe(false);
    expect(hidden.usage?.output_tokens_details.reasoning_tokens).toBe(40);
  });
});

describe('custom tool calls', () => {
  test('a tool declared custom gets a custom_tool_call with freeform input, streamed as input deltas', async () => {
    const { client } = await withScript();
    const history: ResponseInputItem[] = [{ role: 'user', content: TASK }];
    const r1 = await client.responses.create({
      model: 'sim-1',
      input: history,
      tools: [READ_FILE, APPLY_PATCH_CUSTOM],
    });
    appendTurn(history, r1.output, () => 'k = 1');
    const stream = client.responses.stream({
      model: 'sim-1',
      input: history,
      tools: [READ_FILE, APPLY_PATCH_CUSTOM],
    });
    let deltas = '';
    let done = '';
    for await (const e of stream) {
      if (e.type === 'response.custom_tool_call_input.delta') deltas += e.delta;
      if (e.type === 'response.custom_tool_call_input.done') done = e.input;
    }
    const final = await stream.finalResponse();
    const call = final.output.find((o): o is ResponseCustomToolCall => o.type === 'custom_tool_call');
    expect(call).toMatchObject({ type: 'custom_tool_call', name: 'apply_patch', input: PATCH });
    expect(call?.call_id).toMatch(/^call_s1_0_/);
    expect(deltas).toBe(PATCH);
    expect(done).toBe(PATCH);

    // answered with a custom_tool_call_output, the script moves on to its final answer
    history.push(call as ResponseInputItem, {
      type: 'custom_tool_call_output',
      call_id: call?.call_id ?? '',
      output: 'Done!',
    });
    const r3 = await client.responses.create({
      model: 'sim-1',
      input: history,
      tools: [READ_FILE, APPLY_PATCH_CUSTOM],
    });
    expect(r3.output_text).toBe('Patched all three.');

    // declared as a function, the same step is a function_call with JSON arguments
    const fnHistory = history.slice(0, -2);
    const asFunction = await client.responses.create({
      model: 'sim-1',
      input: fnHistory,
      tools: [READ_FILE],
    });
    expect(JSON.parse(functionCalls(asFunction)[0]?.arguments ?? '{}')).toEqual({ input: PATCH });
  });
});

describe('every field of the SDK Response', () => {
  test('non-streamed and streamed Responses carry all of them (fields read from the SDK types)', async () => {
    const { client } = await withScript();
    const fields = readSdkWireTypes()
      .response.map((f) => f.name)
      .filter((name) => name !== 'prompt_cache_diagnostics');
    const r = await client.responses.create({ model: 'sim-1', input: TASK, service_tier: 'flex' });
    expect(fields.filter((f) => !(f in r))).toEqual([]);
    expect(r.service_tier).toBe('flex');
    const events = await collect(
      await client.responses.create({ model: 'sim-1', input: TASK, stream: true }),
    );
    for (const e of events) {
      if ('response' in e) expect(fields.filter((f) => !(f in e.response))).toEqual([]);
    }
    expect(events[0]?.type === 'response.created' && events[0].response.usage).toBeNull();
  }, 60_000);
});
