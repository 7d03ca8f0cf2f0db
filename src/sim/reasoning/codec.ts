import * as z from 'zod';
import { opaqueCodec } from '../util/opaque-codec.js';

/**
 * The sim's `encrypted_content` of a reasoning item: `simr1.` + base64url(JSON). It records how
 * many reasoning tokens the item stands for, so that a client resending it (byte-identical, as
 * Codex does) is counted for the reasoning it carries, like any input item.
 */
const PREFIX = 'simr1.';

const ReasoningStateSchema = z.object({
  v: z.literal(1),
  /** Reasoning tokens this item stands for. */
  tokens: z.number().int().nonnegative(),
  /** The response that produced it (keeps every item's content distinct). */
  response: z.string(),
});
export type ReasoningState = z.infer<typeof ReasoningStateSchema>;

const codec = opaqueCodec(PREFIX, ReasoningStateSchema);

export const encodeReasoning = codec.encode;
/** The state of the sim's own reasoning content (memoised); null for anyone else's. */
export const readReasoning = codec.read;

const hidden = new Map<number, string>();

/** A stand-in text of exactly `tokens` o200k tokens for reasoning the sim does not write out. */
export function hiddenReasoningText(tokens: number): string {
  let text = hidden.get(tokens);
  if (text === undefined) {
    text = tokens > 0 ? `Z${' w'.repeat(tokens - 1)}` : '';
    if (hidden.size < 1000) hidden.set(tokens, text);
  }
  return text;
}
