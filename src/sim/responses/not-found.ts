import type { SimContext } from '../context.js';
import { SimHttpError } from '../http/errors.js';
import type { StoredResponse } from './store.js';

/** The real API's 404 for a response it does not hold (unknown, deleted, or created with `store: false`). */
export function responseNotFound(id: string): SimHttpError {
  return new SimHttpError(404, `Response with id '${id}' not found.`);
}

/** The stored response `id`, or the 404. */
export function storedResponse(ctx: SimContext, id: string): StoredResponse {
  const entry = ctx.responses.get(id);
  if (!entry) throw responseNotFound(id);
  return entry;
}
