import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionMessageFunctionToolCall,
} from 'openai/resources/chat/completions';

import type { CompletionUsage } from 'openai/resources/completions';
import { malform } from '../behaviour/faults.js';
import { planLatency } from '../behaviour/latency.js';
import { rateLimitWait } from '../behaviour/rate-limit.js';
import type { CacheSettings } from '../cache/model.js';
import type { SimContext, SimReply, SimRequest } from '../context.js';
import { faultError, fromZod } from '../http/errors.js';
import type { PacedEvent } from '../http/sse.js';
import { chunkWithTokens } from '../responses/events.js';
import { planTurn } from '../script/plan.js';
import { hashString } from '../util/hash.js';
import { newId, nowSeconds } from '../util/ids.js';
import { createRng } from '../util/rng.js';
import { renderChatRequest } from './render.js';
import { type ChatCreateBody, ChatCreateSchema } from './schema.js';

function settings(body: ChatCreateBody): CacheSettings {
  const format = body.response_format;
  const textFormat =
    format && typeof format === 'object' && (format as { type?: unknown }).type !== 'text'
      ? JSON.stringify(format)
      : null;
  return {
    model: body.model,
    promptCacheKey: body.prompt_cache_key ?? null,
    retention: body.prompt_cache_retention ?? null,
    ttl: body.prompt_cache_options?.ttl,
    mode: body.prompt_cache_options?.mode ?? 'implicit',
    reasoningEffort: body.reasoning_effort ?? null,
    textFormat,
    verbosity: body.verbosity ?? null,
    serviceTier: body.service_tier ?? null,
  };
}

/** POST /v1/chat/completions, sharing the cache model and scripts with /v1/responses. */
export function handleChatCompletions(ctx: SimContext, req: SimRequest): SimReply {
  const parsed = ChatCreateSchema.safeParse(req.json);
  if (!parsed.success) throw fromZod(parsed.error, 'request body');
  const body = parsed.data;
  const rendered = renderChatRequest(body);
  const lookup = ctx.cache.lookup(rendered.segments, settings(body));
  const { seed } = req.options;
  const requestKey = `chat:${body.model}:${lookup.analysis.endHash}`;
  const limitedFor = rateLimitWait(ctx, req.options.faults);
  if (limitedFor !== null) throw faultError(429, limitedFor);
  const fault = ctx.faults.decide(req.options.faults, seed, requestKey);
  if (fault.status !== null) throw faultError(fault.status, fault.retryAfterS);
  const cache = ctx.cache.commit(lookup);

  const turn = planTurn(rendered.view, ctx.registry, seed, {
    parallelToolCalls: body.parallel_tool_calls ?? true,
  });
  let content: string | null = null;
  const toolCalls: ChatCompletionMessageFunctionToolCall[] = [];
  let completionTokens = turn.reasoningTokens;
  if (turn.plan.kind === 'message') content = turn.plan.text;
  else {
    content = turn.plan.say;
    turn.plan.calls.forEach((c, k) => {
      const args = fault.malformedArgs && k === 0 ? malform(c.arguments) : c.arguments;
      toolCalls.push({ id: c.callId, type: 'function', function: { name: c.name, arguments: args } });
      completionTokens += ctx.tokens.count(c.name) + ctx.tokens.count(args);
    });
  }
  if (content) completionTokens += ctx.tokens.count(content);

  const usage: CompletionUsage = {
    prompt_tokens: lookup.inputTokens,
    completion_tokens: completionTokens,
    total_tokens: lookup.inputTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cache.cachedTokens, cache_write_tokens: cache.writeTokens },
    completion_tokens_details: { reasoning_tokens: turn.reasoningTokens },
  };
  const id = newId('chatcmpl').replace('_', '-');
  const created = nowSeconds(ctx.now());
  const finishReason = toolCalls.length > 0 ? 'tool_calls' : 'stop';
  const rng = createRng(hashString(`${seed}\u0001latency\u0001${requestKey}`));
  const latency = planLatency(req.options.latency, lookup.inputTokens, cache.cachedTokens, rng);

  if (body.stream) {
    const events = chatChunks(ctx, { id, created, model: body.model }, content, toolCalls, finishReason, {
      usage,
      includeUsage: body.stream_options?.include_usage === true,
    });
    const cutAfter = fault.cutStream ? Math.max(1, Math.floor(events.length / 2)) : null;
    return {
      kind: 'sse',
      events,
      plan: { latency, cutAfter, done: 'data: [DONE]\n\n' },
      delayMs: fault.slowMs,
    };
  }
  const completion: ChatCompletion = {
    id,
    object: 'chat.completion',
    created,
    model: body.model,
    choices: [
      {
        index: 0,
        finish_reason: finishReason,
        logprobs: null,
        message: {
          role: 'assistant',
          content,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
      },
    ],
    usage,
  };
  return {
    kind: 'json',
    status: 200,
    body: completion,
    delayMs: fault.slowMs + latency.ttftMs + completionTokens * latency.perOutputTokenMs,
    cut: fault.cutStream,
  };
}

function chatChunks(
  ctx: SimContext,
  head: { id: string; created: number; model: string },
  content: string | null,
  toolCalls: ChatCompletionMessageFunctionToolCall[],
  finishReason: 'stop' | 'tool_calls',
  u: { usage: CompletionUsage; includeUsage: boolean },
): PacedEvent[] {
  const events: PacedEvent[] = [];
  let sawOutput = false;
  const push = (
    choices: ChatCompletionChunk['choices'],
    outputTokens = 0,
    usage: CompletionUsage | null = null,
  ): void => {
    const chunk: ChatCompletionChunk = { ...head, object: 'chat.completion.chunk', choices };
    if (u.includeUsage) chunk.usage = usage;
    const firstOutput = outputTokens > 0 && !sawOutput;
    if (firstOutput) sawOutput = true;
    events.push({ name: null, data: chunk, outputTokens, firstOutput });
  };
  const choice = (
    delta: ChatCompletionChunk.Choice.Delta,
    finish: ChatCompletionChunk.Choice['finish_reason'] = null,
  ) => [{ index: 0, delta, finish_reason: finish, logprobs: null }];
  push(choice({ role: 'assistant', content: '' }));
  if (content)
    for (const { delta, tokens } of chunkWithTokens(content, ctx.tokens))
      push(choice({ content: delta }), tokens);
  toolCalls.forEach((call, index) => {
    push(
      choice({
        tool_calls: [
          { index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } },
        ],
      }),
      1,
    );
    for (const { delta, tokens } of chunkWithTokens(call.function.arguments, ctx.tokens, 48)) {
      push(choice({ tool_calls: [{ index, function: { arguments: delta } }] }), tokens);
    }
  });
  push(choice({}, finishReason));
  if (u.includeUsage) push([], 0, u.usage);
  return events;
}
