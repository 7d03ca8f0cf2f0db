import type { ResponseOutputItem } from 'openai/resources/responses/responses';
import { malform } from '../behaviour/faults.js';
import { planLatency } from '../behaviour/latency.js';
import { rateLimitWait } from '../behaviour/rate-limit.js';
import { type CacheDiagnostics, compareFingerprints } from '../cache/diagnostics.js';
import { fingerprintOf } from '../cache/model.js';
import { encodeCompaction } from '../compaction/codec.js';
import type { SimContext, SimReply, SimRequest } from '../context.js';
import { badRequest, faultError, fromZod } from '../http/errors.js';
import { isGradeRequest, planGrade } from '../script/grade.js';
import { planTurn, summaryText } from '../script/plan.js';
import { hashString } from '../util/hash.js';
import { newId, nowSeconds } from '../util/ids.js';
import { createRng } from '../util/rng.js';
import { buildResponse, buildUsage, compactionItem, functionCallItem, messageItem } from './build.js';
import { responseEvents } from './events.js';
import { renderResponsesRequest } from './render.js';
import { explainInput, type InputItem, inputItems, ResponsesCreateSchema } from './schema.js';
import { cacheSettings } from './settings.js';
import { truncateOutput } from './truncate-output.js';
import { warmupReply } from './warmup.js';

/**
 * POST /v1/responses. Stateless: the script step is derived from the request's own history
 * (or the stored chain behind `previous_response_id`).
 *
 * A script may name a tool that is not in the request's `tools`: the call is emitted anyway,
 * as a real model sometimes does, so the harness's unknown-tool handling gets exercised.
 */
export function handleResponsesCreate(ctx: SimContext, req: SimRequest): SimReply {
  const parsed = ResponsesCreateSchema.safeParse(req.json);
  if (!parsed.success) throw fromZod(parsed.error, 'request body', (path) => explainInput(req.json, path));
  const body = parsed.data;
  const newInput = inputItems(body.input);
  const previousId = body.previous_response_id;
  const items = previousId
    ? [...(req.session?.history(previousId) ?? ctx.responses.history(previousId)), ...newInput]
    : newInput;

  // A `compaction_trigger` item asks for the context to be compacted now (Codex's newest way).
  const triggerAt = newInput.findIndex((item) => item.type === 'compaction_trigger');
  if (triggerAt !== -1 && triggerAt !== newInput.length - 1) {
    throw badRequest('a compaction_trigger must be the final input item', `input[${triggerAt}]`);
  }
  const compactNow = triggerAt !== -1;

  const rendered = renderResponsesRequest(body.tools ?? [], body.instructions, items);
  const lookup = ctx.cache.lookup(rendered.segments, cacheSettings(body));
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

  const planned = planTurn(rendered.view, ctx.registry, seed);
  // A model scorer's grading request: answered from the task's `sim.grade`, not its steps.
  const turn = isGradeRequest(body.text?.format)
    ? { ...planned, plan: { kind: 'message' as const, text: planGrade(rendered.view, ctx.registry) } }
    : planned;
  const output: ResponseOutputItem[] = [];
  let outputTokens = turn.reasoningTokens;

  const threshold = body.context_management?.find((c) => c.type === 'compaction')?.compact_threshold;
  if (compactNow || (threshold && lookup.inputTokens > threshold)) {
    const summary = summaryText(rendered.view, null, turn.progress);
    output.push(
      compactionItem(
        encodeCompaction({ v: 1, kind: 'auto', step: turn.progress, task: turn.taskHash, summary }),
      ),
    );
    outputTokens += ctx.tokens.count(summary);
  }
  const plan = turn.plan;
  if (compactNow) {
    // the turn is the compaction: one compaction item, no script step
  } else if (plan.kind === 'message') {
    output.push(messageItem(plan.text, 'final_answer'));
    outputTokens += ctx.tokens.count(plan.text);
  } else {
    if (plan.say) {
      output.push(messageItem(plan.say, 'commentary'));
      outputTokens += ctx.tokens.count(plan.say);
    }
    plan.calls.forEach((call, k) => {
      const args = fault.malformedArgs && k === 0 ? malform(call.arguments) : call.arguments;
      output.push(functionCallItem(call.name, args, call.callId));
      outputTokens += ctx.tokens.count(call.name) + ctx.tokens.count(args);
    });
  }

  const limit = body.max_output_tokens ?? null;
  const cutShort = limit !== null && outputTokens > limit;
  const finalOutput = cutShort
    ? truncateOutput(output, limit, turn.reasoningTokens, (text) => ctx.tokens.count(text))
    : output;
  if (cutShort) outputTokens = limit;

  const id = newId('resp');
  const createdAt = nowSeconds(ctx.now());
  const usage = buildUsage(
    lookup.inputTokens,
    usageCache,
    outputTokens,
    Math.min(turn.reasoningTokens, outputTokens),
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
  });
  ctx.fingerprints.remember(id, fingerprint);
  req.session?.remember(id, [...items, ...(finalOutput as InputItem[])]);
  if (body.store !== false) {
    ctx.responses.save(
      id,
      body.previous_response_id ?? null,
      newInput,
      finalOutput as InputItem[],
      req.bytes,
    );
  }

  const rng = createRng(hashString(`${seed}\u0001latency\u0001${requestKey}`));
  const latency = planLatency(req.options.latency, lookup.inputTokens, usageCache.cachedTokens, rng);
  if (body.stream) {
    const inProgress = buildResponse({
      id,
      createdAt,
      completedAt: null,
      body,
      status: 'in_progress',
      output: [],
      usage: undefined,
      diagnostics: undefined,
    });
    const events = responseEvents(final, inProgress, ctx.tokens);
    const cutAfter = fault.cutStream ? Math.max(1, Math.floor(events.length / 2)) : null;
    return { kind: 'sse', events, plan: { latency, cutAfter, done: null }, delayMs: fault.slowMs };
  }
  return {
    kind: 'json',
    status: 200,
    body: final,
    delayMs: fault.slowMs + latency.ttftMs + outputTokens * latency.perOutputTokenMs,
    cut: fault.cutStream,
  };
}
