import type { Response } from 'openai/resources/responses/responses';
import { beforeAll, describe, expect, test } from 'vitest';
import { resolveServerOptions } from '../../../src/sim/behaviour/options.js';
import { createContext, type SimContext } from '../../../src/sim/context.js';
import { handleResponsesCreate } from '../../../src/sim/responses/create.js';
import { readSdkWireTypes, type SdkWireTypes } from '../../helpers/sdk-types.js';

/**
 * Every field of the SDK's `Response` and of each stream event type the sim sends is present on
 * the wire, as the real API sends it; the field lists come from the installed SDK's types
 * (walked with the TypeScript compiler API), so a field the SDK adds fails this test until the
 * sim sends it too.
 */

const TASK = 'Fix the config and report.';
/** Fields the real API sends that the SDK's `Response` type does not declare. */
const RESPONSE_EXTRA = new Set(['store']);
/** Fields present only when the request asks for them. */
const RESPONSE_ON_REQUEST = new Set(['prompt_cache_diagnostics']);
/** `obfuscation` pads delta events (the real default); most delta types in the SDK omit it. */
const EVENT_EXTRA = new Set(['obfuscation']);
/** Optional event fields the real API leaves out in the normal case (the SDK's own words). */
const EVENT_OMITTED: Record<string, string[]> = {
  // "Omitted when the part completed normally and set to `incomplete` when generation was interrupted."
  'response.reasoning_summary_part.done': ['status'],
};

let sdk: SdkWireTypes;
beforeAll(() => {
  sdk = readSdkWireTypes();
}, 60_000);

function context(): SimContext {
  const ctx = createContext({ defaults: resolveServerOptions(undefined, undefined, 3) });
  ctx.registry.register(TASK, {
    steps: [
      {
        parallel: [
          { tool: 'read_file', args: { path: 'a.toml' } },
          { tool: 'read_file', args: { path: 'b.toml' } },
        ],
        say: 'Reading both files.',
      },
      { tool: 'apply_patch', args: { input: '*** Begin Patch\n*** End Patch\n' } },
    ],
    final: 'Fixed.',
    reasoning_tokens: 20,
  });
  return ctx;
}

const TOOLS = [
  { type: 'function', name: 'read_file', parameters: { type: 'object', properties: {} } },
  { type: 'custom', name: 'apply_patch', description: 'freeform patch' },
];

type Body = Record<string, unknown>;
type Event = Record<string, unknown> & { type: string };

function stream(ctx: SimContext, body: Body): Event[] {
  const reply = handleResponsesCreate(ctx, {
    json: { ...body, stream: true },
    bytes: 0,
    options: ctx.defaults,
  });
  if (reply.kind !== 'sse') throw new Error('expected a stream');
  return reply.events.map((e) => e.data as Event);
}

/** The Response of a stream's last event. */
function finalOf(events: Event[]): Response {
  const response = events.at(-1)?.response as Response | undefined;
  if (!response) throw new Error('the stream ended without a Response');
  return response;
}

function json(ctx: SimContext, body: Body): Response {
  const reply = handleResponsesCreate(ctx, { json: body, bytes: 0, options: ctx.defaults });
  if (reply.kind !== 'json') throw new Error('expected JSON');
  return reply.body as Response;
}

/** Streams covering every item kind the sim emits, a cut response and a diagnostics request. */
function scenarios(): Event[][] {
  const ctx = context();
  const task = [{ role: 'user', content: TASK }];
  const first = stream(ctx, { model: 'gpt-5.5', input: task, tools: TOOLS, store: false });
  const calls = finalOf(first).output.filter((o) => o.type === 'function_call');
  const second = [
    ...task,
    ...calls,
    ...calls.map((c) => ({ type: 'function_call_output', call_id: c.call_id, output: 'x = 1' })),
  ];
  return [
    first,
    // reasoning with a summary and encrypted content, then a custom tool call
    stream(ctx, {
      model: 'gpt-5.5',
      input: second,
      tools: TOOLS,
      reasoning: { effort: 'low', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
      service_tier: 'flex',
    }),
    // the final message in a JSON schema
    stream(ctx, {
      model: 'sim-1',
      input: [{ role: 'user', content: 'no script' }],
      text: { format: { type: 'json_schema', name: 'r', schema: { type: 'object', properties: {} } } },
    }),
    // a compaction
    stream(ctx, { model: 'sim-1', input: [...task, { type: 'compaction_trigger' }] }),
    // cut by max_output_tokens
    stream(ctx, { model: 'sim-1', input: task, tools: TOOLS, max_output_tokens: 16 }),
    // diagnostics asked for
    stream(ctx, {
      model: 'sim-1',
      input: task,
      prompt_cache_options: { comparison_response_id: 'resp_unknown' },
    }),
  ];
}

function expectFields(actual: object, fields: { name: string }[], extra: Set<string>, what: string) {
  const keys = new Set(Object.keys(actual));
  const missing = fields.map((f) => f.name).filter((name) => !keys.has(name));
  expect(missing, `${what} lacks SDK fields`).toEqual([]);
  const declared = new Set(fields.map((f) => f.name));
  const unknown = [...keys].filter((k) => !declared.has(k) && !extra.has(k));
  expect(unknown, `${what} has fields the SDK does not declare`).toEqual([]);
}

function responseFields(r: Response): { name: string }[] {
  const asked = r.prompt_cache_options?.comparison_response_id != null;
  return sdk.response.filter((f) => asked || !RESPONSE_ON_REQUEST.has(f.name));
}

describe('wire objects carry every field of the SDK types', () => {
  test('the SDK walk finds Response and the stream events', () => {
    // guards the walk itself: if it found nothing, every other check here would pass vacuously
    expect(sdk.response.map((f) => f.name)).toEqual(
      expect.arrayContaining(['id', 'output', 'usage', 'user']),
    );
    expect(sdk.events.get('response.output_text.delta')?.map((f) => f.name)).toContain('logprobs');
    expect(sdk.events.size).toBeGreaterThan(40);
  });

  test('every stream event has its type’s fields; every Response in them has all of Response’s', () => {
    const seen = new Set<string>();
    for (const events of scenarios()) {
      for (const event of events) {
        seen.add(event.type);
        const all = sdk.events.get(event.type);
        if (!all) throw new Error(`the SDK knows no stream event '${event.type}'`);
        const omitted = EVENT_OMITTED[event.type] ?? [];
        const fields = all.filter((f) => !(f.optional && omitted.includes(f.name)));
        expectFields(event, fields, EVENT_EXTRA, event.type);
        if (event.type.endsWith('.delta')) expect(typeof event.obfuscation).toBe('string');
        const response = event.response as Response | undefined;
        if (response)
          expectFields(response, responseFields(response), RESPONSE_EXTRA, `${event.type}.response`);
      }
    }
    expect([...seen].sort()).toEqual(
      [
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.output_item.done',
        'response.content_part.added',
        'response.content_part.done',
        'response.output_text.delta',
        'response.output_text.done',
        'response.function_call_arguments.delta',
        'response.function_call_arguments.done',
        'response.custom_tool_call_input.delta',
        'response.custom_tool_call_input.done',
        'response.reasoning_summary_part.added',
        'response.reasoning_summary_part.done',
        'response.reasoning_summary_text.delta',
        'response.reasoning_summary_text.done',
        'response.compaction.compacting',
        'response.completed',
        'response.incomplete',
      ].sort(),
    );
  });

  test('a non-streamed Response has every field, at the real defaults', () => {
    const r = json(context(), { model: 'sim-1', input: TASK, store: false });
    expectFields(r, responseFields(r), RESPONSE_EXTRA, 'Response');
    expect(r).toMatchObject({
      background: false,
      conversation: null,
      error: null,
      incomplete_details: null,
      max_output_tokens: null,
      max_tool_calls: null,
      metadata: {},
      parallel_tool_calls: true,
      previous_response_id: null,
      prompt_cache_key: null,
      reasoning: { effort: null, summary: null },
      safety_identifier: null,
      service_tier: 'default',
      store: false,
      temperature: 1,
      text: { format: { type: 'text' }, verbosity: 'medium' },
      tool_choice: 'auto',
      top_logprobs: 0,
      top_p: 1,
      truncation: 'disabled',
      user: null,
    });
  });

  test('created and in_progress carry usage null; completed carries the usage', () => {
    const events = stream(context(), { model: 'sim-1', input: TASK });
    for (const e of events.slice(0, 2)) expect((e.response as Response).usage).toBeNull();
    expect(finalOf(events).usage?.input_tokens).toBeGreaterThan(0);
  });

  test('service_tier is echoed as the tier that served it; echoed request fields come back', () => {
    const ctx = context();
    const asked = (service_tier: string) =>
      json(ctx, { model: 'sim-1', input: TASK, service_tier }).service_tier;
    expect(asked('flex')).toBe('flex');
    expect(asked('priority')).toBe('priority');
    expect(asked('fast')).toBe('priority');
    expect(asked('auto')).toBe('default');
    const r = json(ctx, {
      model: 'gpt-5.5',
      input: TASK,
      user: 'u-1',
      safety_identifier: 'sid',
      max_tool_calls: 3,
      top_logprobs: 2,
      metadata: { run: 'x' },
      reasoning: { effort: 'high', summary: 'concise' },
      text: { verbosity: 'low' },
    });
    expect(r).toMatchObject({
      user: 'u-1',
      safety_identifier: 'sid',
      max_tool_calls: 3,
      top_logprobs: 2,
      metadata: { run: 'x' },
      reasoning: { effort: 'high', summary: 'concise', context: 'current_turn' },
      text: { format: { type: 'text' }, verbosity: 'low' },
    });
  });
});
