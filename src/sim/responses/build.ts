import type {
  Response,
  ResponseCompactionItem,
  ResponseFunctionToolCall,
  ResponseOutputItem,
  ResponseOutputMessage,
  ResponseUsage,
  Tool,
} from 'openai/resources/responses/responses';
import type { CacheDiagnostics } from '../cache/diagnostics.js';
import type { CacheUsage } from '../cache/model.js';
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

export function functionCallItem(name: string, args: string, callId: string): ResponseFunctionToolCall {
  return {
    id: newId('fc'),
    type: 'function_call',
    status: 'completed',
    call_id: callId,
    name,
    arguments: args,
  };
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
  usage: ResponseUsage | undefined;
  diagnostics: CacheDiagnostics | undefined;
}

/** The Response object, typed by the SDK so the wire shape is checked at compile time. */
export function buildResponse(p: ResponseParts): Response {
  const b = p.body;
  const response: Response = {
    id: p.id,
    object: 'response',
    created_at: p.createdAt,
    status: p.status,
    completed_at: p.completedAt,
    access_programs: null,
    error: null,
    incomplete_details: p.status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: b.instructions ?? null,
    metadata: (b.metadata as Response['metadata'] | undefined) ?? null,
    model: b.model,
    output: p.output,
    output_text: outputText(p.output),
    parallel_tool_calls: b.parallel_tool_calls ?? true,
    temperature: typeof b.temperature === 'number' ? b.temperature : 1,
    top_p: typeof b.top_p === 'number' ? b.top_p : 1,
    tool_choice: 'auto',
    tools: (b.tools ?? []) as unknown as Tool[],
    previous_response_id: b.previous_response_id ?? null,
    max_output_tokens: b.max_output_tokens ?? null,
    prompt_cache_key: b.prompt_cache_key ?? null,
    prompt_cache_retention: b.prompt_cache_retention ?? null,
    truncation: 'disabled',
  };
  if (b.prompt_cache_options) {
    response.prompt_cache_options = {
      mode: b.prompt_cache_options.mode ?? 'implicit',
      ttl: b.prompt_cache_options.ttl ?? '30m',
      comparison_response_id: b.prompt_cache_options.comparison_response_id ?? null,
    };
  }
  if (p.diagnostics) response.prompt_cache_diagnostics = p.diagnostics;
  if (b.reasoning) response.reasoning = b.reasoning as Response['reasoning'];
  if (p.usage) response.usage = p.usage;
  return response;
}
