import type { CacheLookup } from '../cache/model.js';
import type { SimContext } from '../context.js';
import { type RenderedRequest, renderResponsesRequest } from './render.js';
import { type InputItem, inputItems, type ResponsesCreateBody } from './schema.js';
import type { ResponseSession } from './session.js';
import { cacheSettings } from './settings.js';

export interface Prompt {
  /** The request's own input items. */
  newInput: InputItem[];
  /** Everything the model reads: the stored chain behind `previous_response_id`, then `newInput`. */
  items: InputItem[];
  rendered: RenderedRequest;
  /** The cache lookup (read only); `inputTokens` is what usage reports. */
  lookup: CacheLookup;
}

/**
 * A create request's prompt as the model reads it, counted and looked up in the cache: the one
 * count behind a response's `usage.input_tokens` and `POST /v1/responses/input_tokens`.
 */
export function promptOf(ctx: SimContext, body: ResponsesCreateBody, session?: ResponseSession): Prompt {
  const newInput = inputItems(body.input);
  const previousId = body.previous_response_id;
  const items = previousId
    ? [...(session?.history(previousId) ?? ctx.responses.history(previousId)), ...newInput]
    : newInput;
  const rendered = renderResponsesRequest(body.tools ?? [], body.instructions, items);
  const lookup = ctx.cache.lookup(rendered.segments, cacheSettings(body));
  return { newInput, items, rendered, lookup };
}
