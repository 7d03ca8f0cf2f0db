import * as z from 'zod';
import type { SimContext, SimReply } from '../context.js';
import { badRequest } from '../http/errors.js';
import { parseQuery, QueryInclude } from '../http/query.js';
import type { ResourceRequest } from '../http/resource-routes.js';
import { cursorPage, UnknownCursor } from '../util/cursor-page.js';
import { listedItem } from './listed-item.js';
import { storedResponse } from './not-found.js';

const InputItemsQuerySchema = z.object({
  after: z.string().min(1).optional(),
  before: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  order: z.enum(['asc', 'desc']).default('desc'),
  // accepted; items are listed as the request sent them
  include: QueryInclude.optional(),
});

/**
 * GET /v1/responses/{id}/input_items: the items the response was generated from (those of the
 * responses it chains to included), newest first unless `order=asc`, a page of `limit` (1 to
 * 100, default 20) after or before an item id.
 */
export function handleInputItemsList(ctx: SimContext, req: ResourceRequest): SimReply {
  const query = parseQuery(InputItemsQuerySchema, req.query);
  const entry = storedResponse(ctx, req.id);
  const listed = ctx.responses.inputItems(entry);
  try {
    const page = cursorPage(listed, (l) => l.id, {
      after: query.after ?? null,
      before: query.before ?? null,
      limit: query.limit,
      order: query.order,
    });
    const body = { ...page, data: page.data.map((l) => listedItem(l.id, l.item)) };
    return { kind: 'json', status: 200, body, delayMs: 0, cut: false };
  } catch (err) {
    if (err instanceof UnknownCursor) throw badRequest(err.message, err.param);
    throw err;
  }
}
