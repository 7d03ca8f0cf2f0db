import { ZERO_LATENCY } from '../behaviour/latency.js';
import type { CacheDiagnostics, PromptFingerprint } from '../cache/diagnostics.js';
import type { CacheLookup, CacheUsage } from '../cache/model.js';
import type { SimContext, SimReply, SimRequest } from '../context.js';
import { traitsForModel } from '../models.js';
import { newId, nowSeconds } from '../util/ids.js';
import { buildResponse, buildUsage } from './build.js';
import { responseEvents } from './events.js';
import { inputItemId } from './listed-item.js';
import type { InputItem, ResponsesCreateBody } from './schema.js';
import { storedWeight } from './store.js';

export interface WarmupParts {
  body: ResponsesCreateBody;
  newInput: InputItem[];
  items: InputItem[];
  lookup: CacheLookup;
  usageCache: CacheUsage;
  fingerprint: PromptFingerprint;
  diagnostics: CacheDiagnostics | undefined;
}

/**
 * `generate: false`: the prompt is prefilled (its prefix written to the cache) and the response
 * completes with no output, so a later turn can chain from its id. No script step is taken.
 */
export function warmupReply(ctx: SimContext, req: SimRequest, p: WarmupParts): SimReply {
  const id = newId('resp');
  const createdAt = nowSeconds(ctx.now());
  const common = { id, createdAt, body: p.body, output: [], traits: traitsForModel(p.body.model) };
  const final = buildResponse({
    ...common,
    completedAt: createdAt,
    status: 'completed',
    usage: buildUsage(p.lookup.inputTokens, p.usageCache, 0, 0),
    diagnostics: p.diagnostics,
  });
  ctx.fingerprints.remember(id, p.fingerprint);
  req.session?.remember(id, p.items);
  if (p.body.store !== false) {
    ctx.responses.save(
      id,
      {
        previousId: p.body.previous_response_id ?? null,
        input: p.newInput,
        inputIds: p.newInput.map(inputItemId),
        output: [],
        response: final,
        background: null,
        streamed: p.body.stream === true,
      },
      storedWeight(req.bytes, [], p.newInput.length),
    );
  }
  if (!p.body.stream) return { kind: 'json', status: 200, body: final, delayMs: 0, cut: false };
  const inProgress = buildResponse({
    ...common,
    completedAt: null,
    status: 'in_progress',
    usage: null,
    diagnostics: p.diagnostics,
  });
  const events = responseEvents(final, inProgress, ctx.tokens, {
    obfuscation: p.body.stream_options?.include_obfuscation !== false,
  });
  return {
    kind: 'sse',
    events,
    plan: { latency: ZERO_LATENCY, cutAfter: null, done: null },
    delayMs: 0,
  };
}
