import type { ReasoningEffort } from './types.js';

/** Model families that reason (OpenAI's o-series, GPT-5 and later, Codex models). */
const REASONING_FAMILY = /^(o\d|gpt-5|gpt-6|gpt-\d{2,}|codex)/;

/**
 * Whether requests to this model reason: a reasoning effort says so (`none` says not), else the
 * model's family does.
 */
export function modelReasons(model: string, effort: ReasoningEffort | undefined): boolean {
  if (effort !== undefined) return effort !== 'none';
  return REASONING_FAMILY.test(model);
}
