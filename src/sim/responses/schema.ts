import * as z from 'zod';

/**
 * Request bodies of /v1/responses and /v1/responses/compact. Permissive where the real API
 * is (unknown fields pass through), strict on the fields the sim interprets.
 */

const TtlSchema = z.enum(['30m', '12h']);
export type CacheTtl = z.infer<typeof TtlSchema>;

const BreakpointSchema = z.looseObject({ mode: z.literal('explicit').optional(), ttl: TtlSchema.optional() });

export const ContentPartSchema = z.looseObject({
  type: z.string().min(1),
  text: z.string().optional(),
  refusal: z.string().optional(),
  prompt_cache_breakpoint: BreakpointSchema.nullish(),
});
export type ContentPart = z.infer<typeof ContentPartSchema>;

const MessageItemSchema = z.looseObject({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(ContentPartSchema)]),
});

const FunctionCallItemSchema = z.looseObject({
  type: z.literal('function_call'),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
});

const FunctionCallOutputItemSchema = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(ContentPartSchema)]),
});

const CustomToolCallItemSchema = z.looseObject({
  type: z.literal('custom_tool_call'),
  call_id: z.string().min(1),
  name: z.string().min(1),
  input: z.string(),
});

const CustomToolCallOutputItemSchema = z.looseObject({
  type: z.literal('custom_tool_call_output'),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(ContentPartSchema)]),
});

const ReasoningItemSchema = z.looseObject({
  type: z.literal('reasoning'),
  summary: z.array(z.looseObject({ type: z.string().min(1), text: z.string() })),
  encrypted_content: z.string().nullish(),
});

const CompactionItemSchema = z.looseObject({
  type: z.literal('compaction'),
  encrypted_content: z.string(),
});

const INTERPRETED = new Set([
  'message',
  'function_call',
  'function_call_output',
  'custom_tool_call',
  'custom_tool_call_output',
  'reasoning',
  'compaction',
]);

/** Any other item type the API knows (item_reference, web_search_call, ...): kept and counted, not interpreted. */
const OtherItemSchema = z
  .looseObject({ type: z.string().min(1) })
  .refine((item) => !INTERPRETED.has(item.type), { message: 'malformed item for its type' });

const SCHEMA_BY_TYPE: Record<string, z.ZodType> = {
  message: MessageItemSchema,
  function_call: FunctionCallItemSchema,
  function_call_output: FunctionCallOutputItemSchema,
  custom_tool_call: CustomToolCallItemSchema,
  custom_tool_call_output: CustomToolCallOutputItemSchema,
  reasoning: ReasoningItemSchema,
  compaction: CompactionItemSchema,
};

/** A precise message for an input item that failed validation (a union's own error is vague). */
export function describeInvalidItem(item: unknown): string {
  if (!item || typeof item !== 'object') return 'each input item must be an object';
  const type = (item as { type?: unknown }).type ?? ('role' in item ? 'message' : undefined);
  if (typeof type !== 'string') return "input item needs a 'type' (or a 'role' for a message)";
  const schema = SCHEMA_BY_TYPE[type];
  const result = schema?.safeParse(item);
  const issue = result && !result.success ? result.error.issues[0] : undefined;
  if (!issue) return `invalid '${type}' item`;
  return `invalid '${type}' item: '${issue.path.join('.')}': ${issue.message}`;
}

/**
 * Dispatched on `type` (a message may leave it out): a plain union tried every schema in turn
 * and built the issues of each miss, a fifth of a cold 40 KB request's CPU (issue 13).
 */
export const InputItemSchema = z.union([
  z.discriminatedUnion('type', [
    MessageItemSchema,
    FunctionCallItemSchema,
    FunctionCallOutputItemSchema,
    CustomToolCallItemSchema,
    CustomToolCallOutputItemSchema,
    ReasoningItemSchema,
    CompactionItemSchema,
  ]),
  OtherItemSchema,
]);
export type InputItem = z.infer<typeof InputItemSchema>;
export type MessageItem = z.infer<typeof MessageItemSchema>;
export type FunctionCallItem = z.infer<typeof FunctionCallItemSchema>;
export type FunctionCallOutputItem = z.infer<typeof FunctionCallOutputItemSchema>;
export type CompactionItem = z.infer<typeof CompactionItemSchema>;
export type ReasoningItem = z.infer<typeof ReasoningItemSchema>;

export const ToolSchema = z.looseObject({ type: z.string().min(1), name: z.string().optional() });
export type ToolParam = z.infer<typeof ToolSchema>;

const PromptCacheOptionsSchema = z.looseObject({
  comparison_response_id: z.string().nullish(),
  mode: z.enum(['implicit', 'explicit']).optional(),
  prewarm: z.boolean().optional(),
  ttl: TtlSchema.optional(),
});

/** `text.format`: plain text, any JSON object, or JSON valid for a schema. */
const TextFormatSchema = z.union([
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    name: z.string().min(1),
    schema: z.record(z.string(), z.unknown()),
    strict: z.boolean().nullish(),
  }),
]);
export type TextFormat = z.infer<typeof TextFormatSchema>;

const commonFields = {
  model: z.string().min(1),
  input: z.union([z.string(), z.array(InputItemSchema)]).nullish(),
  instructions: z.string().nullish(),
  previous_response_id: z.string().nullish(),
  prompt_cache_key: z.string().nullish(),
  prompt_cache_retention: z.enum(['in_memory', '24h']).nullish(),
  prompt_cache_options: PromptCacheOptionsSchema.nullish(),
};

export const ResponsesCreateSchema = z.looseObject({
  ...commonFields,
  tools: z.array(ToolSchema).nullish(),
  stream: z.boolean().nullish(),
  store: z.boolean().nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  reasoning: z.looseObject({ effort: z.string().nullish(), summary: z.string().nullish() }).nullish(),
  text: z.looseObject({ format: TextFormatSchema.nullish(), verbosity: z.string().nullish() }).nullish(),
  service_tier: z.string().nullish(),
  /** false: prepare request state only, no output (the WebSocket mode's warm-up). */
  generate: z.boolean().nullish(),
  include: z.array(z.string()).nullish(),
  tool_choice: z.unknown().optional(),
  stream_options: z.looseObject({ include_obfuscation: z.boolean().optional() }).nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  top_logprobs: z.number().int().nonnegative().nullish(),
  max_tool_calls: z.number().int().positive().nullish(),
  truncation: z.enum(['auto', 'disabled']).nullish(),
  background: z.boolean().nullish(),
  safety_identifier: z.string().nullish(),
  user: z.string().nullish(),
  context_management: z
    .array(
      z.looseObject({ type: z.string().min(1), compact_threshold: z.number().int().positive().nullish() }),
    )
    .nullish(),
});
export type ResponsesCreateBody = z.infer<typeof ResponsesCreateSchema>;

export const ResponsesCompactSchema = z.looseObject(commonFields);
export type ResponsesCompactBody = z.infer<typeof ResponsesCompactSchema>;

/** Normalise `input` (a bare string means one user message). */
export function inputItems(input: ResponsesCreateBody['input']): InputItem[] {
  if (input == null) return [];
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }];
  return input;
}

/** For a validation error under `input.<i>`, describe that item precisely. */
export function explainInput(json: unknown, path: PropertyKey[]): string | undefined {
  if (path[0] !== 'input' || typeof path[1] !== 'number') return undefined;
  const input = (json as { input?: unknown }).input;
  return Array.isArray(input) ? describeInvalidItem(input[path[1]]) : undefined;
}
