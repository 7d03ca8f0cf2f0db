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

export interface EventOptions {
  /** Pad each delta event with an `obfuscation` string (the real default; off with
   * `stream_options.include_obfuscation: false`). */
  obfuscation: boolean;
  /** A background response's `queued` form: the stream opens with it (created, queued). */
  queued?: Response;
}

type Push = (e: EventBody, outputTokens?: number) => void;

const OBFUSCATION_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * What the real API adds to delta events to even out payload sizes: a few letters, so that the
 * delta plus its padding reaches a multiple of 16 characters. Deterministic (derived from the
 * delta) so that a replayed stream is byte-identical.
 */
export function obfuscationFor(delta: string): string {
  const length = 16 - (delta.length % 16) + (delta.length < 8 ? 16 : 0);
  let h = 0x811c9dc5;
  for (let i = 0; i < delta.length; i++) h = Math.imul(h ^ delta.charCodeAt(i), 0x01000193);
  let out = '';
  for (let i = 0; i < length; i++) {
    h = Math.imul(h ^ i, 0x01000193);
    out += OBFUSCATION_CHARS[(h >>> 0) % OBFUSCATION_CHARS.length];
  }
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
 * The real streamed event sequence for a finished response: created (then queued, for a
 * background response), in_progress, then per
 * output item added / (reasoning_summary_part.added, reasoning_summary_text.delta*, .done,
 * reasoning_summary_part.done | content_part.added, output_text.delta*, output_text.done,
 * content_part.done | function_call_arguments.delta*, .done | custom_tool_call_input.delta*,
 * .done | compaction.compacting) / output_item.done, then completed; `sequence_number` counts
 * from 0.
 */
export function responseEvents(
  final: Response,
  inProgress: Response,
  tokens: TokenCache,
  options: EventOptions = { obfuscation: true },
): PacedEvent[] {
  const events: PacedEvent[] = [];
  let seq = 0;
  let sawOutput = false;
  const push: Push = (e, outputTokens = 0) => {
    // Time to first token is waited before the first output event (its `output_item.added`), so a
    // client timing the first item and one timing the first delta both see it.
    const firstOutput =
      !sawOutput &&
      e.type !== 'response.created' &&
      e.type !== 'response.queued' &&
      e.type !== 'response.in_progress';
    if (firstOutput) sawOutput = true;
    const data: Record<string, unknown> = { ...e, sequence_number: seq++ };
    if (options.obfuscation && 'delta' in e && typeof e.delta === 'string') {
      data.obfuscation = obfuscationFor(e.delta);
    }
    events.push({ name: e.type, data, outputTokens, firstOutput });
  };
  if (options.queued) {
    push({ type: 'response.created', response: options.queued });
    push({ type: 'response.queued', response: options.queued });
  } else {
    push({ type: 'response.created', response: inProgress });
  }
  push({ type: 'response.in_progress', response: inProgress });
  const reasoningTokens = final.usage?.output_tokens_details.reasoning_tokens ?? 0;
  final.output.forEach((item, output_index) => {
    itemEvents(item, output_index, push, tokens, reasoningTokens);
  });
  if (final.status === 'incomplete') push({ type: 'response.incomplete', response: final });
  else push({ type: 'response.completed', response: final });
  return events;
}

/** Push `text` as delta events of about `size` characters, each paced by its share of tokens. */
function deltas(
  text: string,
  size: number,
  tokens: TokenCache,
  push: Push,
  event: (delta: string) => EventBody,
): void {
  for (const { delta, tokens: n } of chunkWithTokens(text, tokens, size)) push(event(delta), n);
}

function itemEvents(
  item: ResponseOutputItem,
  output_index: number,
  push: Push,
  tokens: TokenCache,
  reasoningTokens: number,
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
      deltas(part.text, 24, tokens, push, (delta) => ({
        type: 'response.output_text.delta',
        item_id,
        output_index,
        content_index,
        delta,
        logprobs: [],
      }));
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
  } else if (item.type === 'reasoning') {
    // the model thinks before its first visible token: the reasoning tokens are paced here
    push(
      { type: 'response.output_item.added', output_index, item: { ...item, summary: [] } },
      reasoningTokens,
    );
    item.summary.forEach((part, summary_index) => {
      push({
        type: 'response.reasoning_summary_part.added',
        item_id,
        output_index,
        summary_index,
        part: { type: 'summary_text', text: '' },
      });
      deltas(part.text, 24, tokens, push, (delta) => ({
        type: 'response.reasoning_summary_text.delta',
        item_id,
        output_index,
        summary_index,
        delta,
      }));
      push({
        type: 'response.reasoning_summary_text.done',
        item_id,
        output_index,
        summary_index,
        text: part.text,
      });
      push({ type: 'response.reasoning_summary_part.done', item_id, output_index, summary_index, part });
    });
  } else if (item.type === 'function_call') {
    push({
      type: 'response.output_item.added',
      output_index,
      item: { ...item, arguments: '', status: 'in_progress' },
    });
    deltas(item.arguments, 48, tokens, push, (delta) => ({
      type: 'response.function_call_arguments.delta',
      item_id,
      output_index,
      delta,
    }));
    push({ type: 'response.function_call_arguments.done', item_id, output_index, arguments: item.arguments });
  } else if (item.type === 'custom_tool_call') {
    push({ type: 'response.output_item.added', output_index, item: { ...item, input: '' } });
    deltas(item.input, 48, tokens, push, (delta) => ({
      type: 'response.custom_tool_call_input.delta',
      item_id,
      output_index,
      delta,
    }));
    push({ type: 'response.custom_tool_call_input.done', item_id, output_index, input: item.input });
  } else if (item.type === 'compaction') {
    push({ type: 'response.output_item.added', output_index, item: { ...item, encrypted_content: '' } });
    push({ type: 'response.compaction.compacting', item_id, output_index }, 1);
  } else {
    push({ type: 'response.output_item.added', output_index, item });
  }
  push({ type: 'response.output_item.done', output_index, item });
}
