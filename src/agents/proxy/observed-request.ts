import * as z from 'zod';
import { SUMMARY_PROMPT } from '../../agent/index.js';
import type { ModelRequest, ReasoningEffort, ToolDefinition } from '../../model/index.js';
import { renderedChatMessage, renderedItems, renderedResponsesItem } from '../../telemetry/index.js';

/** Which API an intercepted request speaks, from its path. */
export type ObservedApi = 'responses' | 'compact' | 'chat';

/**
 * What a model request is for, read from the request itself:
 * - `agent`: an ordinary turn of the agent's conversation;
 * - `compaction`: a request that compacts the history, either a streamed turn whose last input
 *   item is `{type: "compaction_trigger"}` (method `trigger`) or `POST /responses/compact`
 *   (method `endpoint`);
 * - `summary`: a request whose last input item is a user message asking for a summary of the
 *   conversation (Codex's inline compaction with a provider not named OpenAI: "You are performing
 *   a CONTEXT CHECKPOINT COMPACTION ...", turnbench's own summary prompt, or any last user
 *   message that opens with "Summarize ..."), method `summary`;
 * - `warmup`: `generate: false`, a prefill with no output (Codex sends one over WebSocket before
 *   its first turn, and the first turn chains onto it).
 */
export type ObservedKind = 'agent' | 'compaction' | 'summary' | 'warmup';
export type CompactionMethod = 'trigger' | 'endpoint' | 'summary';

export interface ObservedRequest {
  api: ObservedApi;
  kind: ObservedKind;
  method: CompactionMethod | null;
  model: string;
  stream: boolean;
  /**
   * The request as the prefix check sees it: items and tools reduced to what the provider
   * renders. For a request chained with `previous_response_id`, `input` holds only the new items.
   */
  request: ModelRequest;
  previousResponseId: string | null;
  /** Chat Completions streams report usage only when asked (`stream_options.include_usage`). */
  chatUsageRequested: boolean;
}

const looseObject = z.record(z.string(), z.unknown());

const ResponsesBodySchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.unknown())]).nullish(),
  instructions: z.string().nullish(),
  tools: z.array(looseObject).nullish(),
  reasoning: z.looseObject({ effort: z.string().nullish() }).nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  prompt_cache_key: z.string().nullish(),
  previous_response_id: z.string().nullish(),
  stream: z.boolean().nullish(),
  store: z.boolean().nullish(),
  generate: z.boolean().nullish(),
});

const ChatBodySchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.unknown()),
  tools: z.array(looseObject).nullish(),
  reasoning_effort: z.string().nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  prompt_cache_key: z.string().nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
});

const SUMMARY_REQUEST = [
  /CONTEXT CHECKPOINT COMPACTION/i,
  /\bhandoff summary\b/i,
  /^\s*(please\s+)?(summari[sz]e|write a summary|give a summary|create a summary)\b/i,
];

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) =>
      part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string'
        ? (part as { text: string }).text
        : '',
    )
    .join('');
}

/** Is this last item a user message asking for a summary of the conversation? */
function isSummaryRequest(last: unknown): boolean {
  if (!last || typeof last !== 'object') return false;
  const item = last as { role?: unknown; type?: unknown; content?: unknown };
  if (item.role !== 'user' || (item.type !== undefined && item.type !== 'message')) return false;
  const text = textOf(item.content);
  return text.startsWith(SUMMARY_PROMPT) || SUMMARY_REQUEST.some((pattern) => pattern.test(text));
}

const EFFORTS = new Set<string>(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']);
const effortOf = (value: string | null | undefined): ReasoningEffort | undefined =>
  value && EFFORTS.has(value) ? (value as ReasoningEffort) : undefined;

/** Tools keep every field (a changed description changes the prompt); a name is needed for details. */
function toolsOf(tools: Array<Record<string, unknown>> | null | undefined): ToolDefinition[] {
  return (tools ?? []).map((tool) =>
    typeof tool.name === 'string' ? tool : { ...tool, name: String(tool.type ?? 'tool') },
  ) as unknown as ToolDefinition[];
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(body)'}: ${issue.message}` : 'invalid body';
}

export class ObservedRequestError extends Error {
  override name = 'ObservedRequestError';
}

/** Reads an intercepted request body; throws ObservedRequestError naming the field when it is not one. */
export function parseObservedRequest(api: ObservedApi, body: unknown): ObservedRequest {
  if (api === 'chat') {
    const parsed = ChatBodySchema.safeParse(body);
    if (!parsed.success)
      throw new ObservedRequestError(`chat completions request: ${describe(parsed.error)}`);
    const b = parsed.data;
    const last = b.messages[b.messages.length - 1];
    const summary = isSummaryRequest(last);
    return {
      api,
      kind: summary ? 'summary' : 'agent',
      method: summary ? 'summary' : null,
      model: b.model,
      stream: b.stream === true,
      previousResponseId: null,
      chatUsageRequested: b.stream_options?.include_usage === true,
      request: {
        model: b.model,
        instructions: '',
        tools: toolsOf(b.tools),
        input: renderedItems(b.messages, renderedChatMessage),
        store: false,
        parallelToolCalls: b.parallel_tool_calls ?? true,
        ...(b.prompt_cache_key ? { promptCacheKey: b.prompt_cache_key } : {}),
        ...(effortOf(b.reasoning_effort) ? { reasoningEffort: effortOf(b.reasoning_effort) } : {}),
      },
    };
  }
  const parsed = ResponsesBodySchema.safeParse(body);
  if (!parsed.success) throw new ObservedRequestError(`responses request: ${describe(parsed.error)}`);
  const b = parsed.data;
  const rawInput: unknown[] =
    typeof b.input === 'string' ? [{ type: 'message', role: 'user', content: b.input }] : (b.input ?? []);
  const last = rawInput[rawInput.length - 1] as { type?: unknown } | undefined;
  let kind: ObservedKind = 'agent';
  let method: CompactionMethod | null = null;
  if (b.generate === false) {
    kind = 'warmup';
  } else if (api === 'compact') {
    kind = 'compaction';
    method = 'endpoint';
  } else if (last?.type === 'compaction_trigger') {
    kind = 'compaction';
    method = 'trigger';
  } else if (isSummaryRequest(last)) {
    kind = 'summary';
    method = 'summary';
  }
  const effort = effortOf(b.reasoning?.effort);
  return {
    api,
    kind,
    method,
    model: b.model,
    stream: b.stream === true,
    previousResponseId: b.previous_response_id ?? null,
    chatUsageRequested: false,
    request: {
      model: b.model,
      instructions: b.instructions ?? '',
      tools: toolsOf(b.tools),
      input: renderedItems(rawInput, renderedResponsesItem),
      store: b.store ?? true,
      parallelToolCalls: b.parallel_tool_calls ?? true,
      ...(b.prompt_cache_key ? { promptCacheKey: b.prompt_cache_key } : {}),
      ...(effort ? { reasoningEffort: effort } : {}),
    },
  };
}
