import type { SimContext, SimReply } from '../context.js';
import type { ResourceRequest } from '../http/resource-routes.js';
import { responseNotFound } from './not-found.js';

/** DELETE /v1/responses/{id}: gone from the store; retrieving it or chaining to it fails from then on. */
export function handleResponseDelete(ctx: SimContext, req: ResourceRequest): SimReply {
  if (!ctx.responses.delete(req.id)) throw responseNotFound(req.id);
  return {
    kind: 'json',
    status: 200,
    body: { id: req.id, object: 'response', deleted: true },
    delayMs: 0,
    cut: false,
  };
}
