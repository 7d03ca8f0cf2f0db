import type { VariantSpec } from '../config/index.js';
import { modelReasons, type PromptItem, type ReasoningEffort } from '../model/index.js';

/**
 * Codex's way of keeping reasoning with `store: false`: on a model that reasons, ask for
 * `reasoning.encrypted_content` and resend the reasoning items, in order, with the history.
 */
export function asksForEncryptedReasoning(
  variant: Pick<VariantSpec, 'carry_reasoning' | 'mode'>,
  model: string,
  effort: ReasoningEffort | undefined,
): boolean {
  return variant.carry_reasoning && variant.mode === 'stateless' && modelReasons(model, effort);
}

/**
 * The response's items as they go into the history. Statelessly, a reasoning item can only be sent
 * back with its encrypted content (the provider keeps nothing to look its id up in), so one
 * without it, or every one when the variant does not carry reasoning, is left out. With
 * `previous_response_id` the provider holds them, and the history keeps them all.
 */
export function historyItems(
  items: PromptItem[],
  variant: Pick<VariantSpec, 'carry_reasoning' | 'mode'>,
): PromptItem[] {
  if (variant.mode === 'previous_response_id') return items;
  return items.filter(
    (item) =>
      item.type !== 'reasoning' || (variant.carry_reasoning && typeof item.encrypted_content === 'string'),
  );
}
