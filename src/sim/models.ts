import type { Model } from 'openai/resources/models';

export const SIM_MODELS = ['sim-1', 'sim-exact', 'gpt-5.6-sim'] as const;

export function listModels(createdAt: number): { object: 'list'; data: Model[] } {
  return {
    object: 'list',
    data: SIM_MODELS.map((id) => ({ id, object: 'model', created: createdAt, owned_by: 'turnbench-sim' })),
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
