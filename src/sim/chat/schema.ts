import * as z from 'zod';

const PartSchema = z.looseObject({ type: z.string().min(1), text: z.string().optional() });
const ContentSchema = z.union([z.string(), z.array(PartSchema)]);

const ToolCallSchema = z.looseObject({
  id: z.string().min(1),
  type: z.string().default('function'),
  function: z.looseObject({ name: z.string().min(1), arguments: z.string() }),
});

export const ChatMessageSchema = z.union([
  z.looseObject({ role: z.enum(['system', 'developer', 'user']), content: ContentSchema }),
  z.looseObject({
    role: z.literal('assistant'),
    content: ContentSchema.nullish(),
    tool_calls: z.array(ToolCallSchema).nullish(),
  }),
  z.looseObject({ role: z.literal('tool'), tool_call_id: z.string().min(1), content: ContentSchema }),
]);
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

export const ChatCreateSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(ChatMessageSchema).min(1),
  tools: z
    .array(
      z.looseObject({
        type: z.string().min(1),
        function: z.looseObject({ name: z.string().min(1) }).optional(),
      }),
    )
    .nullish(),
  stream: z.boolean().nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  prompt_cache_key: z.string().nullish(),
  prompt_cache_retention: z.enum(['in_memory', '24h']).nullish(),
  // Chat Completions takes the mode, and 30-minute retention only (the Responses API also 12h).
  prompt_cache_options: z
    .looseObject({ mode: z.enum(['implicit', 'explicit']).optional(), ttl: z.literal('30m').optional() })
    .nullish(),
  reasoning_effort: z.string().nullish(),
  response_format: z.unknown().optional(),
  verbosity: z.string().nullish(),
  service_tier: z.string().nullish(),
  n: z.literal(1).nullish(),
});
export type ChatCreateBody = z.infer<typeof ChatCreateSchema>;

export function contentText(content: z.infer<typeof ContentSchema> | null | undefined): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  return content.map((p) => p.text ?? `[${p.type}]`).join('');
}
