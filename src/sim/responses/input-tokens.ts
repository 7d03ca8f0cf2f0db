import type { InputTokenCountResponse } from 'openai/resources/responses/input-tokens';
import * as z from 'zod';
import type { SimContext, SimReply, SimRequest } from '../context.js';
import { fromZod } from '../http/errors.js';
import { promptOf } from './prompt.js';
import { explainInput, ResponsesCreateSchema } from './schema.js';

/** The create body with `model` optional, as the SDK's `InputTokenCountParams` has it. */
const InputTokensSchema = ResponsesCreateSchema.extend({ model: z.string().min(1).nullish() });

/**
 * POST /v1/responses/input_tokens: what `usage.input_tokens` of a create with this body would be
 * (the stored chain behind `previous_response_id` included), counted by the same code. Not a
 * model turn: no cache write, no script step, no faults.
 */
export function handleInputTokens(ctx: SimContext, req: SimRequest): SimReply {
  const parsed = InputTokensSchema.safeParse(req.json);
  if (!parsed.success) throw fromZod(parsed.error, 'request body', (path) => explainInput(req.json, path));
  // the sim's count is the same for every model; the model only names the cache shard looked up
  const body = { ...parsed.data, model: parsed.data.model ?? '' };
  const { lookup } = promptOf(ctx, body, req.session);
  const answer: InputTokenCountResponse = {
    object: 'response.input_tokens',
    input_tokens: lookup.inputTokens,
  };
  return { kind: 'json', status: 200, body: answer, delayMs: 0, cut: false };
}
