import { hashValue } from '../../telemetry/index.js';
import type { ObservedRequest } from './observed-request.js';

/**
 * Headers that name the conversation a request belongs to, most specific first. Codex sends
 * `thread-id` (one per thread: the root conversation and each sub-agent) and `session-id` (the
 * root's id, shared by its sub-agents); other agents use `session_id` or `x-session-id`.
 */
export const CONVERSATION_HEADERS = [
  'thread-id',
  'session-id',
  'session_id',
  'x-session-id',
  'conversation-id',
  'x-conversation-id',
] as const;

/**
 * Which conversation of a sample a request continues, in this order:
 * 1. a request chained with `previous_response_id` belongs to the conversation of that response
 *    (the caller checks that first: see `SampleRecorder`);
 * 2. a conversation header (`CONVERSATION_HEADERS`);
 * 3. the body's `prompt_cache_key` (what the provider itself routes the cache by);
 * 4. the prompt's head: instructions and first input item. Two conversations that open alike
 *    cannot be told apart this way; agents that run several conversations send one of the above.
 */
export function conversationKey(
  headers: Readonly<Record<string, string>>,
  observed: ObservedRequest,
): string {
  for (const name of CONVERSATION_HEADERS) {
    const value = headers[name];
    if (value) return value;
  }
  const key = observed.request.promptCacheKey;
  if (key) return key;
  return `prefix-${hashValue([observed.request.instructions, observed.request.input[0] ?? null])}`;
}
