import type { Model } from 'openai/resources/models';
import type { SimContext, SimReply } from './context.js';
import { SimHttpError } from './http/errors.js';
import type { ResourceRequest } from './http/resource-routes.js';
import { nowSeconds } from './util/ids.js';

export const SIM_MODELS = ['sim-1', 'sim-exact', 'gpt-5.6-sim'] as const;

const modelObject = (id: string, createdAt: number): Model => ({
  id,
  object: 'model',
  created: createdAt,
  owned_by: 'turnbench-sim',
});

/** `GET /v1/models`: the sim's own model names (it serves any other name as well; see below). */
export function listModels(createdAt: number): { object: 'list'; data: Model[] } {
  return { object: 'list', data: SIM_MODELS.map((id) => modelObject(id, createdAt)) };
}

/**
 * The names the sim serves: any model id, as the API spells them (letters, digits and `.-_:`, a
 * fine-tuned `ft:base:org:suffix:id` included). A create asking for one gets an answer whatever
 * the name (scripts are found by task, not by model), so retrieve answers for each such name too,
 * not only for the listed ones: a client that checks its model before using it works as it would
 * against the API.
 */
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,255}$/;

/** `GET /v1/models/{id}` (`client.models.retrieve(id)`): the Model object, or the API's 404. */
export function handleModelRetrieve(ctx: SimContext, req: ResourceRequest): SimReply {
  if (!MODEL_ID.test(req.id)) {
    throw new SimHttpError(
      404,
      `The model '${req.id}' does not exist`,
      'invalid_request_error',
      'model_not_found',
      'model',
    );
  }
  return {
    kind: 'json',
    status: 200,
    body: modelObject(req.id, nowSeconds(ctx.now())),
    delayMs: 0,
    cut: false,
  };
}

/** What a model family does besides caching (caching is `cache/profiles.ts`). */
export interface ModelTraits {
  /**
   * Emits `reasoning` output items when it reasons. `sim-1` and `sim-exact` keep their
   * reasoning hidden: the script's reasoning tokens are billed, but no item is emitted (as
   * reasoning models behind Chat Completions do).
   */
  reasons: boolean;
  /** The effort a reasoning model uses when the request names none. */
  defaultEffort: 'medium' | null;
  /** Which reasoning items it keeps on later turns when the request does not say. */
  defaultReasoningContext: 'current_turn' | 'all_turns' | null;
}

const REASONING_FAMILY = /^(o\d|gpt-5|gpt-6|gpt-\d{2,}|codex)/;
const ALL_TURNS_FAMILY = /^(gpt-5\.([6-9]|\d{2,})|gpt-([6-9]|\d{2,}))/;

export function traitsForModel(model: string): ModelTraits {
  if (!REASONING_FAMILY.test(model)) {
    return { reasons: false, defaultEffort: null, defaultReasoningContext: null };
  }
  return {
    reasons: true,
    defaultEffort: 'medium',
    defaultReasoningContext: ALL_TURNS_FAMILY.test(model) ? 'all_turns' : 'current_turn',
  };
}
