import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions/completions';
import type { ResponseFunctionToolCall, ResponseOutputMessage } from 'openai/resources/responses/responses';
import * as z from 'zod';
import { toChatMessages, toChatTools } from './chat-messages.js';
import { StreamCutError } from './retry.js';
import { type OneAttempt, SdkModelClient } from './sdk-client.js';
import type { ModelRequest, NormalisedUsage, OutputItem } from './types.js';
import { normaliseChatUsage } from './usage.js';

export function chatBody(req: ModelRequest): ChatCompletionCreateParamsStreaming {
  const body: ChatCompletionCreateParamsStreaming = {
    model: req.model,
    messages: toChatMessages(req.instructions, req.input),
    stream: true,
    stream_options: { include_usage: true },
  };
  if (req.tools.length > 0) {
    body.tools = toChatTools(req.tools);
    body.parallel_tool_calls = req.parallelToolCalls;
  }
  if (req.promptCacheKey) body.prompt_cache_key = req.promptCacheKey;
  if (req.promptCacheRetention) body.prompt_cache_retention = req.promptCacheRetention;
  // The suite refuses a 12h ttl with api: chat (Chat Completions keeps 30m only).
  if (req.promptCacheMode || req.promptCacheTtl === '30m') {
    body.prompt_cache_options = {
      ...(req.promptCacheMode ? { mode: req.promptCacheMode } : {}),
      ...(req.promptCacheTtl === '30m' ? { ttl: '30m' as const } : {}),
    };
  }
  if (req.reasoningEffort) body.reasoning_effort = req.reasoningEffort;
  if (req.maxOutputTokens) body.max_completion_tokens = req.maxOutputTokens;
  return body;
}

/** llama.cpp's server reports prompt-cache reuse in `timings.cache_n` rather than in usage. */
const LlamaTimingsSchema = z.object({ timings: z.object({ cache_n: z.number().int().min(0) }) });

interface PartialCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Chat Completions providers (vLLM, llama.cpp, Ollama and other OpenAI-compatible servers):
 * the same ModelClient contract, with the output turned into Responses-shaped items so the loop,
 * the telemetry and the prefix check are the same for both APIs.
 */
export class ChatClient extends SdkModelClient<ChatCompletionCreateParamsStreaming> {
  readonly api = 'chat' as const;

  protected body(req: ModelRequest): ChatCompletionCreateParamsStreaming {
    return chatBody(req);
  }

  protected async streamOnce(
    body: ChatCompletionCreateParamsStreaming,
    signal: AbortSignal | undefined,
  ): Promise<OneAttempt> {
    const started = performance.now();
    let ttftMs = null as number | null;
    let id = '';
    let model = body.model;
    let text = '';
    let finished = false;
    let incompleteReason = null as string | null;
    let usage = null as NormalisedUsage | null;
    let cacheN = null as number | null;
    const calls = new Map<number, PartialCall>();
    const onChunk = (chunk: ChatCompletionChunk) => {
      id ||= chunk.id;
      model = chunk.model || model;
      if (chunk.usage) usage = normaliseChatUsage(chunk.usage);
      const timings = LlamaTimingsSchema.safeParse(chunk);
      if (timings.success) cacheN = timings.data.timings.cache_n;
      for (const choice of chunk.choices) {
        const delta = choice.delta;
        if (ttftMs === null && (delta.content || delta.tool_calls)) ttftMs = performance.now() - started;
        if (delta.content) text += delta.content;
        for (const tc of delta.tool_calls ?? []) {
          const current = calls.get(tc.index) ?? { id: '', name: '', arguments: '' };
          if (tc.id) current.id = tc.id;
          if (tc.function?.name) current.name += tc.function.name;
          if (tc.function?.arguments) current.arguments += tc.function.arguments;
          calls.set(tc.index, current);
        }
        if (choice.finish_reason) {
          finished = true;
          if (choice.finish_reason === 'length') incompleteReason = 'max_output_tokens';
          else if (choice.finish_reason === 'content_filter') incompleteReason = 'content_filter';
        }
      }
    };
    await this.readGuarded(() => this.client.chat.completions.create(body), signal, onChunk);
    if (!finished) throw new StreamCutError('chat stream ended without a finish_reason');
    if (!usage) throw new Error('the provider sent no usage (stream_options.include_usage is required)');
    if (usage.cachedTokens === null && cacheN !== null) usage = { ...usage, cachedTokens: cacheN };

    const output: OutputItem[] = [];
    if (text) {
      const message: ResponseOutputMessage = {
        id: `msg_${id}`,
        type: 'message',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text, annotations: [] }],
      };
      output.push(message);
    }
    for (const [index, c] of [...calls.entries()].sort((a, b) => a[0] - b[0])) {
      const fc: ResponseFunctionToolCall = {
        type: 'function_call',
        call_id: c.id || `call_${id}_${index}`,
        name: c.name,
        arguments: c.arguments,
        status: 'completed',
      };
      output.push(fc);
    }
    return {
      id,
      model,
      output,
      usage,
      ttftMs,
      latencyMs: performance.now() - started,
      cacheDiagnostics: null,
      incompleteReason,
    };
  }
}
