import * as z from 'zod';
import { ZERO_LATENCY } from '../behaviour/latency.js';
import type { SimContext, SimReply } from '../context.js';
import { badRequest } from '../http/errors.js';
import { parseQuery, QueryBoolean, QueryInclude } from '../http/query.js';
import type { ResourceRequest } from '../http/resource-routes.js';
import { pendingSnapshot, responseAt } from './background.js';
import { responseEvents } from './events.js';
import { storedResponse } from './not-found.js';

const RetrieveQuerySchema = z.object({
  stream: QueryBoolean.optional(),
  starting_after: z.coerce.number().int().min(-1).optional(),
  include_obfuscation: QueryBoolean.optional(),
  // accepted; the stored response already holds what its create asked to include
  include: QueryInclude.optional(),
});

/**
 * GET /v1/responses/{id}: the stored response as create returned it (a background one as it
 * stands now). With `stream=true`, a background response created with `stream: true` has its
 * events sent again, from after `starting_after`, once its work is done; as the background guide
 * says, no other response can be streamed again (400).
 */
export function handleResponseRetrieve(ctx: SimContext, req: ResourceRequest): SimReply {
  const query = parseQuery(RetrieveQuerySchema, req.query);
  const entry = storedResponse(ctx, req.id);
  const now = ctx.now();
  if (query.stream !== true) {
    return { kind: 'json', status: 200, body: responseAt(entry, now), delayMs: 0, cut: false };
  }
  const run = entry.background;
  if (!run || !entry.streamed) {
    throw badRequest(
      'Only a response created with background=true and stream=true can be streamed again; retrieve it without stream.',
      'stream',
    );
  }
  if (run.cancelled)
    throw badRequest(`Response with id '${req.id}' was cancelled; it has no events to stream.`, 'stream');
  const final = entry.response;
  const events = responseEvents(final, pendingSnapshot(final, 'in_progress'), ctx.tokens, {
    obfuscation: query.include_obfuscation !== false,
    queued: pendingSnapshot(final, 'queued'),
  });
  const after = query.starting_after ?? -1;
  return {
    kind: 'sse',
    events: events.filter((e) => (e.data as { sequence_number: number }).sequence_number > after),
    plan: { latency: ZERO_LATENCY, cutAfter: null, done: null },
    delayMs: Math.max(0, run.readyAt - now),
  };
}
