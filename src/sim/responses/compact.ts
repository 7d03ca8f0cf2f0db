import type { CompactedResponse, ResponseOutputItem } from 'openai/resources/responses/responses';
import { planLatency } from '../behaviour/latency.js';
import { rateLimitWait } from '../behaviour/rate-limit.js';
import { encodeCompaction } from '../compaction/codec.js';
import type { SimContext, SimReply, SimRequest } from '../context.js';
import { faultError, fromZod } from '../http/errors.js';
import { planTurn } from '../script/plan.js';
import { hashString } from '../util/hash.js';
import { newId, nowSeconds } from '../util/ids.js';
import { createRng } from '../util/rng.js';
import { buildUsage, compactionItem } from './build.js';
import { partsText, renderResponsesRequest } from './render.js';
import { type ContentPart, explainInput, inputItems, ResponsesCompactSchema } from './schema.js';
import { cacheSettings } from './settings.js';

/**
 * POST /v1/responses/compact: every user message, then one compaction item whose content
 * (the sim's own format) carries the summary it is counted as and the script progress.
 */
export function handleResponsesCompact(ctx: SimContext, req: SimRequest): SimReply {
  const parsed = ResponsesCompactSchema.safeParse(req.json);
  if (!parsed.success) throw fromZod(parsed.error, 'request body', (path) => explainInput(req.json, path));
  const body = parsed.data;
  const items = body.previous_response_id
    ? [...ctx.responses.history(body.previous_response_id), ...inputItems(body.input)]
    : inputItems(body.input);

  const rendered = renderResponsesRequest([], body.instructions, items);
  const lookup = ctx.cache.lookup(rendered.segments, cacheSettings(body));
  const requestKey = `compact:${body.model}:${lookup.analysis.endHash}`;
  const limitedFor = rateLimitWait(ctx, req.options.faults);
  if (limitedFor !== null) throw faultError(429, limitedFor);
  const fault = ctx.faults.decide(req.options.faults, req.options.seed, requestKey);
  if (fault.status !== null) throw faultError(fault.status, fault.retryAfterS);
  const usageCache = ctx.cache.commit(lookup);

  const turn = planTurn(rendered.view, ctx.registry, req.options.seed);
  const summary = turn.summarise();
  const userMessages = items.filter((it) => 'role' in it && it.role === 'user' && 'content' in it);
  const output = [
    ...userMessages.map((m) => ({
      id: newId('msg'),
      type: 'message',
      role: 'user',
      status: 'completed',
      content: [{ type: 'input_text', text: partsText(m.content as string | ContentPart[]) }],
    })),
    compactionItem(
      encodeCompaction({
        v: 1,
        kind: 'endpoint',
        step: turn.progress,
        ...(turn.next ? { next: [turn.next.step, turn.next.call] as [number, number] } : {}),
        task: turn.taskHash,
        summary,
      }),
    ),
  ] as unknown as ResponseOutputItem[];
  // User messages in a compacted response are input messages, which the SDK's output type does not model.

  const outputTokens = ctx.tokens.count(summary);
  const compacted: CompactedResponse = {
    id: newId('resp'),
    object: 'response.compaction',
    created_at: nowSeconds(ctx.now()),
    output,
    usage: buildUsage(lookup.inputTokens, usageCache, outputTokens, 0),
  };
  const rng = createRng(hashString(`${req.options.seed}\u0001latency\u0001${requestKey}`));
  const latency = planLatency(req.options.latency, lookup.inputTokens, usageCache.cachedTokens, rng);
  return {
    kind: 'json',
    status: 200,
    body: compacted,
    delayMs: fault.slowMs + latency.ttftMs + outputTokens * latency.perOutputTokenMs,
    cut: fault.cutStream,
  };
}
