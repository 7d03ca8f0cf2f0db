import type { Response, ResponseOutputItem, ResponseStreamEvent } from 'openai/resources/responses/responses';
import type { PacedEvent } from '../http/sse.js';
import type { TokenCache } from '../tokens/token-cache.js';

type EventBody = ResponseStreamEvent extends infer E
  ? E extends unknown
    ? Omit<E, 'sequence_number'>
    : never
  : never;

/** Split text into delta chunks of a few words each. */
export function chunkText(text: string, size = 24): string[] {
  if (text.length === 0) return [''];
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/**
 * `text` in delta chunks, each with its share of the text's output tokens (for pacing). The
 * whole text is counted once (memoised, bounded) and spread by characters: counting 40,000
 * separate chunks of a megabyte answer blocked the server for seconds.
 */
export function chunkWithTokens(
  text: string,
  tokens: TokenCache,
  size?: number,
): Array<{ delta: string; tokens: number }> {
  const chunks = chunkText(text, size);
  const total = text.length > 0 ? tokens.count(text) : 0;
  let done = 0;
  let chars = 0;
  return chunks.map((delta) => {
    chars += delta.length;
    const upTo = text.length > 0 ? Math.round((total * chars) / text.length) : 0;
    const share = Math.max(1, upTo - done);
    done = Math.max(done, upTo);
    return { delta, tokens: share };
  });
}

/**
 * The real streamed event sequence for a finished response: created, in_progress, then per
 * output item added / (content_part.added, output_text.delta*, output_text.done,
 * content_part.done | function_call_arguments.delta*, .done | compaction.compacting) /
 * output_item.done, then completed; `sequence_number` counts from 0.
 */
export function responseEvents(final: Response, inProgress: Response, tokens: TokenCache): PacedEvent[] {
  const events: PacedEvent[] = [];
  let seq = 0;
  let sawOutput = false;
  const push = (e: EventBody, outputTokens = 0): void => {
    // Time to first token is waited before the first output event (its `output_item.added`), so a
    // client timing the first item and one timing the first delta both see it.
    const firstOutput = !sawOutput && e.type !== 'response.created' && e.type !== 'response.in_progress';
    if (firstOutput) sawOutput = true;
    events.push({ name: e.type, data: { ...e, sequence_number: seq++ }, outputTokens, firstOutput });
  };
  push({ type: 'response.created', response: inProgress });
  push({ type: 'response.in_progress', response: inProgress });
  final.output.forEach((item, output_index) => {
    itemEvents(item, output_index, push, tokens);
  });
  if (final.status === 'incomplete') push({ type: 'response.incomplete', response: final });
  else push({ type: 'response.completed', response: final });
  return events;
}

function itemEvents(
  item: ResponseOutputItem,
  output_index: number,
  push: (e: EventBody, outputTokens?: number) => void,
  tokens: TokenCache,
): void {
  const item_id = item.id ?? '';
  if (item.type === 'message') {
    push({
      type: 'response.output_item.added',
      output_index,
      item: { ...item, status: 'in_progress', content: [] },
    });
    item.content.forEach((part, content_index) => {
      if (part.type !== 'output_text') return;
      push({
        type: 'response.content_part.added',
        item_id,
        output_index,
        content_index,
        part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
      });
      for (const { delta, tokens: n } of chunkWithTokens(part.text, tokens)) {
        push(
          { type: 'response.output_text.delta', item_id, output_index, content_index, delta, logprobs: [] },
          n,
        );
      }
      push({
        type: 'response.output_text.done',
        item_id,
        output_index,
        content_index,
        text: part.text,
        logprobs: [],
      });
      push({ type: 'response.content_part.done', item_id, output_index, content_index, part });
    });
  } else if (item.type === 'function_call') {
    push({
      type: 'response.output_item.added',
      output_index,
      item: { ...item, arguments: '', status: 'in_progress' },
    });
    for (const { delta, tokens: n } of chunkWithTokens(item.arguments, tokens, 48)) {
      push({ type: 'response.function_call_arguments.delta', item_id, output_index, delta }, n);
    }
    push({ type: 'response.function_call_arguments.done', item_id, output_index, arguments: item.arguments });
  } else if (item.type === 'compaction') {
    push({ type: 'response.output_item.added', output_index, item: { ...item, encrypted_content: '' } });
    push({ type: 'response.compaction.compacting', item_id, output_index }, 1);
  } else {
    push({ type: 'response.output_item.added', output_index, item });
  }
  push({ type: 'response.output_item.done', output_index, item });
}
