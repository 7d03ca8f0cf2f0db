/**
 * What the provider renders of an item, for the prefix check of an agent turnbench did not run: the
 * recording proxy reduces the requests it sees, ingest the items a session log holds, alike.
 *
 * An agent resends the model's output in its own shape: Codex adds `status`, keeps item `id`s and
 * attaches `internal_chat_message_metadata_passthrough` to items it resends. None of that is
 * rendered into the prompt the provider caches, so comparing raw items would report breaks that
 * do not exist. Both sides of the comparison (the request's items, and the previous response's
 * output as resent) are reduced to the fields a provider renders: role and content of a message,
 * name and arguments of a call, the output of a call result, the encrypted content of reasoning
 * and compaction items. Items of other types keep every field except `id` and `status`.
 */

import type { PromptItem } from '../model/index.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function pick(item: Json, keys: readonly string[]): Json {
  const out: Json = {};
  for (const key of keys) if (item[key] !== undefined) out[key] = item[key];
  return out;
}

/** A content part as rendered: its type and its text (or refusal, or the reference it carries). */
function renderedPart(part: unknown): unknown {
  if (!isObject(part)) return part;
  const { annotations: _a, logprobs: _l, ...rest } = part;
  return rest;
}

function renderedContent(content: unknown): unknown {
  return Array.isArray(content) ? content.map(renderedPart) : content;
}

/** One Responses API input item (or output item as resent) reduced to what the provider renders. */
export function renderedResponsesItem(raw: unknown): Json {
  if (!isObject(raw)) return { value: raw };
  const type = typeof raw.type === 'string' ? raw.type : 'message';
  switch (type) {
    case 'message':
      return { type: 'message', role: raw.role, content: renderedContent(raw.content) };
    case 'function_call':
      return pick(raw, ['type', 'call_id', 'name', 'namespace', 'arguments']);
    case 'custom_tool_call':
      return pick(raw, ['type', 'call_id', 'name', 'namespace', 'input']);
    case 'function_call_output':
    case 'custom_tool_call_output':
      return pick(raw, ['type', 'call_id', 'output']);
    case 'reasoning':
      return raw.encrypted_content != null
        ? { type, encrypted_content: raw.encrypted_content }
        : { type, summary: raw.summary ?? [], content: raw.content ?? [] };
    case 'compaction':
      return { type, encrypted_content: raw.encrypted_content };
    default: {
      const { id: _id, status: _status, internal_chat_message_metadata_passthrough: _m, ...rest } = raw;
      return rest;
    }
  }
}

/** A Chat Completions message reduced to what the provider renders. */
export function renderedChatMessage(raw: unknown): Json {
  if (!isObject(raw)) return { value: raw };
  const out = pick(raw, ['role', 'name', 'tool_call_id']);
  out.content = renderedContent(raw.content ?? null);
  if (Array.isArray(raw.tool_calls)) {
    out.tool_calls = raw.tool_calls.map((call) =>
      isObject(call) ? pick(call, ['id', 'type', 'function', 'custom']) : call,
    );
  }
  return out;
}

/**
 * Items reduced for the prefix check, typed as prompt items: the check hashes and counts them
 * as plain objects and never sends them anywhere.
 */
export function renderedItems(items: readonly unknown[], render: (item: unknown) => Json): PromptItem[] {
  return items.map(render) as unknown as PromptItem[];
}
