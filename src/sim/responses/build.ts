import type {
  Response,
  ResponseCompactionItem,
  ResponseCustomToolCall,
  ResponseFunctionToolCall,
  ResponseOutputItem,
  ResponseOutputMessage,
  ResponseReasoningItem,
  ResponseTextConfig,
  ResponseToolSearchCall,
  ResponseUsage,
  Tool,
} from 'openai/resources/responses/responses';
import type { Reasoning } from 'openai/resources/shared';
import type { CacheDiagnostics } from '../cache/diagnostics.js';
import type { CacheUsage } from '../cache/model.js';
import type { ModelTraits } from '../models.js';
import { newId } from '../util/ids.js';
import type { ResponsesCreateBody } from './schema.js';

export function messageItem(text: string, phase: 'commentary' | 'final_answer'): ResponseOutputMessage {
  return {
    id: newId('msg'),
    type: 'message',
    role: 'assistant',
    status: 'completed',
    phase,
    content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
  };
}

/** A call to a function tool; `namespace` when the tool sits in a `type: namespace` tool. */
export function functionCallItem(
  name: string,
  args: string,
  callId: string,
  namespace: string | null = null,
): ResponseFunctionToolCall {
  const item: ResponseFunctionToolCall = {
    id: newId('fc'),
    type: 'function_call',
    status: 'completed',
    call_id: callId,
    name,
    arguments: args,
  };
  if (namespace !== null) item.namespace = namespace;
  return item;
}

export function customToolCallItem(
  name: string,
  input: string,
  callId: string,
  namespace: string | null = null,
): ResponseCustomToolCall {
  const item: ResponseCustomToolCall = {
    id: newId('ctc'),
    type: 'custom_tool_call',
    call_id: callId,
    name,
    input,
  };
  if (namespace !== null) item.namespace = namespace;
  return item;
}

/**
 * A search of the client's deferred tools (`tool_search` declared with `execution: client`): the
 * arguments are a JSON object, not a string; the client answers with a `tool_search_output` item.
 */
export function toolSearchCallItem(args: string, callId: string): ResponseToolSearchCall {
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    parsed = args; // raw_arguments that are no JSON go as they are
  }
  return {
    id: newId('tsc'),
    type: 'tool_search_call',
    status: 'completed',
    call_id: callId,
    execution: 'client',
    arguments: parsed,
  };
}

export function reasoningItem(
  summary: string | null,
  encryptedContent: string | null,
): ResponseReasoningItem {
  const item: ResponseReasoningItem = {
    id: newId('rs'),
    type: 'reasoning',
    summary: summary === null ? [] : [{ type: 'summary_text', text: summary }],
  };
  if (encryptedContent !== null) item.encrypted_content = encryptedContent;
  return item;
}

export function compactionItem(encrypted: string): ResponseCompactionItem {
  return { id: newId('cmp'), type: 'compaction', encrypted_content: encrypted, created_by: 'sim' };
}

export function buildUsage(
  inputTokens: number,
  cache: CacheUsage,
  outputTokens: number,
  reasoningTokens: number,
): ResponseUsage {
  const details: ResponseUsage.InputTokensDetails = {
    cached_tokens: cache.cachedTokens,
    cache_write_tokens: cache.writeTokens,
  };
  if (cache.reportsWrites) {
    details.cache_write_tokens_details = {
      ttl_30m_tokens: cache.writeBucket === '30m' ? cache.writeTokens : 0,
      ttl_12h_tokens: cache.writeBucket === '12h' ? cache.writeTokens : 0,
    };
  }
  return {
    input_tokens: inputTokens,
    input_tokens_details: details,
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: reasoningTokens },
    total_tokens: inputTokens + outputTokens,
  };
}

export function outputText(output: ResponseOutputItem[]): string {
  let text = '';
  for (const item of output) {
    if (item.type !== 'message') continue;
    for (const c of item.content) if (c.type === 'output_text') text += c.text;
  }
  return text;
}

export interface ResponseParts {
  id: string;
  createdAt: number;
  completedAt: number | null;
  body: ResponsesCreateBody;
  status: 'in_progress' | 'completed' | 'incomplete';
  output: ResponseOutputItem[];
  /** null on `response.created` / `response.in_progress`, as the real API sends it. */
  usage: ResponseUsage | null;
  diagnostics: CacheDiagnostics | undefined;
  traits: ModelTraits;
}

/** The tier that served the request, as the API reports it (`fast` is reported as `priority`). */
export function servedTier(requested: string | null | undefined): NonNullable<Response['service_tier']> {
  if (requested === 'fast') return 'priority';
  if (!requested || requested === 'auto') return 'default';
  return requested as NonNullable<Response['service_tier']>;
}

function reasoningConfig(b: ResponsesCreateBody, traits: ModelTraits): Reasoning {
  const asked = (b.reasoning ?? {}) as Reasoning;
  if (!traits.reasons) return { effort: null, summary: null };
  return {
    effort: asked.effort ?? traits.defaultEffort,
    summary: asked.summary ?? null,
    context: asked.context && asked.context !== 'auto' ? asked.context : traits.defaultReasoningContext,
  };
}

function textConfig(b: ResponsesCreateBody): ResponseTextConfig {
  return {
    format: (b.text?.format ?? { type: 'text' }) as ResponseTextConfig['format'],
    verbosity: (b.text?.verbosity as ResponseTextConfig['verbosity']) ?? 'medium',
  };
}

/**
 * The Response object with every field the real API sends, at its real defaults, typed by the
 * SDK so the wire shape is checked at compile time. A field appears even when the SDK marks it
 * optional; `prompt_cache_diagnostics` only when asked for. `store` is sent by the real API
 * though the SDK's type lacks it, and `usage`/`user` are null where the SDK says optional.
 */
export function buildResponse(p: ResponseParts): Response {
  const b = p.body;
  const cacheOptions = b.prompt_cache_options;
  const response: Response & { store: boolean } = {
    id: p.id,
    object: 'response',
    created_at: p.createdAt,
    status: p.status,
    background: b.background ?? false,
    completed_at: p.completedAt,
    conversation: null,
    access_programs: null,
    error: null,
    image: { context_compression: 'disabled' },
    incomplete_details: p.status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    input_transformations: [],
    instructions: b.instructions ?? null,
    max_output_tokens: b.max_output_tokens ?? null,
    max_tool_calls: b.max_tool_calls ?? null,
    metadata: b.metadata ?? {},
    model: b.model,
    moderation: null,
    output: p.output,
    output_text: outputText(p.output),
    parallel_tool_calls: b.parallel_tool_calls ?? true,
    previous_response_id: b.previous_response_id ?? null,
    prompt: (b.prompt as Response['prompt'] | undefined) ?? null,
    prompt_cache_key: b.prompt_cache_key ?? null,
    prompt_cache_options: {
      mode: cacheOptions?.mode ?? 'implicit',
      ttl: cacheOptions?.ttl ?? '30m',
      comparison_response_id: cacheOptions?.comparison_response_id ?? null,
    },
    prompt_cache_retention: b.prompt_cache_retention ?? null,
    reasoning: reasoningConfig(b, p.traits),
    safety_identifier: b.safety_identifier ?? null,
    service_tier: servedTier(b.service_tier),
    store: b.store ?? true,
    temperature: b.temperature ?? 1,
    text: textConfig(b),
    tool_choice: (b.tool_choice as Response['tool_choice'] | undefined) ?? 'auto',
    tool_usage: {
      image_gen: {
        input_tokens: 0,
        input_tokens_details: { image_tokens: 0, text_tokens: 0 },
        output_tokens: 0,
        total_tokens: 0,
      },
      web_search: { num_requests: 0 },
    },
    tools: (b.tools ?? []) as unknown as Tool[],
    top_logprobs: b.top_logprobs ?? 0,
    top_p: b.top_p ?? 1,
    truncation: b.truncation ?? 'disabled',
    usage: p.usage as ResponseUsage,
    user: (b.user ?? null) as string,
  };
  if (p.diagnostics) response.prompt_cache_diagnostics = p.diagnostics;
  return response;
}
