import type { SimContext, SimReply } from '../context.js';
import { badRequest } from '../http/errors.js';
import type { ResourceRequest } from '../http/resource-routes.js';
import { isRunning, pendingSnapshot, responseAt } from './background.js';
import { storedResponse } from './not-found.js';

/**
 * POST /v1/responses/{id}/cancel. A background response still running is cancelled: it answers
 * `cancelled` from then on, with no output, and a response chained to it sees its input only. One
 * that already ended (completed, incomplete, cancelled) is answered as it is ("Cancelling twice is
 * idempotent - subsequent calls simply return the final Response object", the background guide);
 * a response not created with `background: true` cannot be cancelled (400).
 */
export function handleResponseCancel(ctx: SimContext, req: ResourceRequest): SimReply {
  const entry = storedResponse(ctx, req.id);
  const run = entry.background;
  if (!run) {
    throw badRequest('Only responses created with background=true can be cancelled.');
  }
  const now = ctx.now();
  if (isRunning(entry, now)) {
    run.cancelled = true;
    entry.output = [];
    entry.response = pendingSnapshot(entry.response, 'cancelled');
  }
  return { kind: 'json', status: 200, body: responseAt(entry, now), delayMs: 0, cut: false };
}
