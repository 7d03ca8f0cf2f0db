import { z } from 'zod';
import { WeightedLru } from '../util/lru.js';

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

export function encodeReasoning(state: ReasoningState): string {
  return PREFIX + Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

function decode(content: string): ReasoningState | null {
  if (!content.startsWith(PREFIX)) return null;
  try {
    const json: unknown = JSON.parse(Buffer.from(content.slice(PREFIX.length), 'base64url').toString('utf8'));
    const parsed = ReasoningStateSchema.safeParse(json);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const memo = new WeightedLru<string, ReasoningState | null>(10_000);

/** decode, memoised: the same reasoning item is resent on every later turn. */
export function readReasoning(content: string): ReasoningState | null {
  const hit = memo.peek(content);
  if (hit !== undefined) return hit;
  const state = decode(content);
  memo.set(content, state);
  return state;
}

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
