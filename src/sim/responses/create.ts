import { planLatency } from '../behaviour/latency.js';
import { rateLimitWait } from '../behaviour/rate-limit.js';
import { type CacheDiagnostics, compareFingerprints } from '../cache/diagnostics.js';
import { fingerprintOf } from '../cache/model.js';
import type { SimContext, SimReply, SimRequest } from '../context.js';
import { badRequest, faultError, fromZod } from '../http/errors.js';
import { traitsForModel } from '../models.js';
import { isGradeRequest, planGrade } from '../script/grade.js';
import { planTurn } from '../script/plan.js';
import { hashString } from '../util/hash.js';
import { newId, nowSeconds } from '../util/ids.js';
import { createRng } from '../util/rng.js';
import { pendingSnapshot } from './background.js';
import { buildResponse, buildUsage } from './build.js';
import { declaredTools } from './declared-tools.js';
import { responseEvents } from './events.js';
import { inputItemId } from './listed-item.js';
import { buildOutput } from './output.js';
import { promptOf } from './prompt.js';
import { explainInput, type InputItem, ResponsesCreateSchema } from './schema.js';
import { storedWeight } from './store.js';
import { truncateOutput } from './truncate-output.js';
import { warmupReply } from './warmup.js';

/**
 * POST /v1/responses. Stateless: the script step is derived from the request's own history
 * (or the stored chain behind `previous_response_id`). A `background: true` response is worked
 * out at once, answered `queued`, and reads as finished from its simulated latency on
 * (`background.ts`).
 *
 * A script may name a tool that is not in the request's `tools`: the call is emitted anyway,
 * as a real model sometimes does, so the harness's unknown-tool handling gets exercised.
 */
export function handleResponsesCreate(ctx: SimContext, req: SimRequest): SimReply {
  const parsed = ResponsesCreateSchema.safeParse(req.json);
  if (!parsed.success) throw fromZod(parsed.error, 'request body', (path) => explainInput(req.json, path));
  const body = parsed.data;
  if (body.background && body.store === false) {
    // what the background guide says: "Background sampling requires store=true"
    throw badRequest('Background mode requires store=true; stateless requests are rejected.', 'store');
  }
  const { newInput, items, rendered, lookup } = promptOf(ctx, body, req.session);

  // A `compaction_trigger` item asks for the context to be compacted now (Codex's newest way).
  const triggerAt = newInput.findIndex((item) => item.type === 'compaction_trigger');
  if (triggerAt !== -1 && triggerAt !== newInput.length - 1) {
    throw badRequest('a compaction_trigger must be the final input item', `input[${triggerAt}]`);
  }
  const compactNow = triggerAt !== -1;

  const { seed } = req.options;
  const requestKey = `${body.model}:${lookup.analysis.endHash}`;
  const limitedFor = rateLimitWait(ctx, req.options.faults);
  if (limitedFor !== null) throw faultError(429, limitedFor);
  const fault = ctx.faults.decide(req.options.faults, seed, requestKey);
  if (fault.status !== null) throw faultError(fault.status, fault.retryAfterS);

  const usageCache = ctx.cache.commit(lookup);
  let diagnostics: CacheDiagnostics | undefined;
  const comparisonId = body.prompt_cache_options?.comparison_response_id;
  const fingerprint = fingerprintOf(lookup);
  if (comparisonId) {
    const prev = ctx.fingerprints.get(comparisonId);
    diagnostics = prev ? compareFingerprints(prev, fingerprint) : { type: 'comparison_response_not_found' };
  }
  if (body.generate === false) {
    return warmupReply(ctx, req, { body, newInput, items, lookup, usageCache, fingerprint, diagnostics });
  }

  const planned = planTurn(rendered.view, ctx.registry, seed, {
    parallelToolCalls: body.parallel_tool_calls ?? true,
  });
  // A model scorer's grading request: answered from the task's `sim.grade`, not its steps.
  const turn = isGradeRequest(body.text?.format)
    ? {
        ...planned,
        plan: {
          kind: 'message' as const,
          text: planGrade(rendered.view, ctx.registry),
          summary: false,
          verbatim: true,
        },
      }
    : planned;
  const id = newId('resp');
  const traits = traitsForModel(body.model);
  const threshold = body.context_management?.find((c) => c.type === 'compaction')?.compact_threshold;
  const built = buildOutput({
    responseId: id,
    body,
    turn,
    traits,
    compaction: compactNow ? 'only' : threshold && lookup.inputTokens > threshold ? 'before_output' : 'none',
    malformedArgs: fault.malformedArgs,
    tokens: ctx.tokens,
    declared: declaredTools(body.tools, items),
  });
  const output = built.output;
  let outputTokens = built.outputTokens;

  const limit = body.max_output_tokens ?? null;
  const cutShort = limit !== null && outputTokens > limit;
  const finalOutput = cutShort
    ? truncateOutput(output, limit, built.reasoningTokens, (text) => ctx.tokens.count(text))
    : output;
  if (cutShort) outputTokens = limit;

  const createdAt = nowSeconds(ctx.now());
  const usage = buildUsage(
    lookup.inputTokens,
    usageCache,
    outputTokens,
    Math.min(built.reasoningTokens, outputTokens),
  );
  const final = buildResponse({
    id,
    createdAt,
    completedAt: createdAt,
    body,
    status: cutShort ? 'incomplete' : 'completed',
    output: finalOutput,
    usage,
    diagnostics,
    traits,
  });
  ctx.fingerprints.remember(id, fingerprint);
  req.session?.remember(id, [...items, ...(finalOutput as InputItem[])]);

  const rng = createRng(hashString(`${seed}\u0001latency\u0001${requestKey}`));
  const latency = planLatency(req.options.latency, lookup.inputTokens, usageCache.cachedTokens, rng);
  const workMs = fault.slowMs + latency.ttftMs + outputTokens * latency.perOutputTokenMs;
  const background = body.background === true;
  if (body.store !== false) {
    ctx.responses.save(
      id,
      {
        previousId: body.previous_response_id ?? null,
        input: newInput,
        inputIds: newInput.map(inputItemId),
        output: finalOutput as InputItem[],
        response: final,
        background: background ? { readyAt: ctx.now() + workMs, cancelled: false } : null,
        streamed: body.stream === true,
      },
      storedWeight(req.bytes, finalOutput, newInput.length),
    );
  }

  if (body.stream) {
    const events = responseEvents(final, pendingSnapshot(final, 'in_progress'), ctx.tokens, {
      obfuscation: body.stream_options?.include_obfuscation !== false,
      ...(background ? { queued: pendingSnapshot(final, 'queued') } : {}),
    });
    const cutAfter = fault.cutStream ? Math.max(1, Math.floor(events.length / 2)) : null;
    return { kind: 'sse', events, plan: { latency, cutAfter, done: null }, delayMs: fault.slowMs };
  }
  if (background) {
    // answered at once; the work goes on (simulated) until `readyAt`, and the client polls
    const queued = pendingSnapshot(final, 'queued');
    return { kind: 'json', status: 200, body: queued, delayMs: fault.slowMs, cut: fault.cutStream };
  }
  return { kind: 'json', status: 200, body: final, delayMs: workMs, cut: fault.cutStream };
}
