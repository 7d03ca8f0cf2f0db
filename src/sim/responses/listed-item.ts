import type { ResponseItem } from 'openai/resources/responses/responses';
import { newId } from '../util/ids.js';
import type { InputItem } from './schema.js';

const ID_PREFIX: Record<string, string> = {
  message: 'msg',
  function_call: 'fc',
  function_call_output: 'fco',
  custom_tool_call: 'ctc',
  custom_tool_call_output: 'ctco',
  reasoning: 'rs',
  compaction: 'cmp',
};

/** The id an input item is listed under: its own when it came with one, else a new one for its type. */
export function inputItemId(item: InputItem): string {
  const own = (item as { id?: unknown }).id;
  if (typeof own === 'string' && own !== '') return own;
  const type = typeof item.type === 'string' ? item.type : 'message';
  return newId(ID_PREFIX[type] ?? 'item');
}

/** Item types whose listed form carries a `status` (the SDK's `*Item` types require it). */
const WITH_STATUS = new Set([
  'message',
  'function_call',
  'function_call_output',
  'custom_tool_call',
  'custom_tool_call_output',
]);

/**
 * An input item as `GET /v1/responses/{id}/input_items` lists it: with its id and a `status`, a
 * message with `type: message` and its content as parts (a string becomes one `input_text` part,
 * or `output_text` for an assistant message); every other field as the request sent it.
 */
export function listedItem(id: string, item: InputItem): ResponseItem {
  const type = typeof item.type === 'string' ? item.type : 'message';
  const listed: Record<string, unknown> = { id, type, ...item };
  listed.id = id;
  listed.type = type;
  if (WITH_STATUS.has(type) && listed.status === undefined) listed.status = 'completed';
  if (type === 'message' && typeof listed.content === 'string') {
    listed.content =
      listed.role === 'assistant'
        ? [{ type: 'output_text', text: listed.content, annotations: [] }]
        : [{ type: 'input_text', text: listed.content }];
  }
  return listed as unknown as ResponseItem;
}
