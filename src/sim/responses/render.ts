import type { CompactionState } from '../compaction/codec.js';
import { readCompaction } from '../compaction/memo.js';
import { type Segment, segment } from '../prompt/segments.js';
import { type ConversationView, emptyView } from '../script/conversation.js';
import type { ContentPart, InputItem, ToolParam } from './schema.js';

export function partsText(content: string | ContentPart[]): string {
  if (typeof content === 'string') return content;
  return content.map((p) => p.text ?? p.refusal ?? '').join('');
}

function partPiece(p: ContentPart): string {
  if (p.text !== undefined) return p.text;
  if (p.refusal !== undefined) return p.refusal;
  // images, files, audio: a stable placeholder per part type
  return `[${p.type}]`;
}

function messageSegment(role: string, content: string | ContentPart[]): Segment {
  const seg = segment('item', role, [`<|${role}|>\n`]);
  if (typeof content === 'string') {
    seg.pieces.push(content);
    return seg;
  }
  for (const part of content) {
    seg.pieces.push(partPiece(part));
    if (part.prompt_cache_breakpoint) {
      seg.breakpoints.push({ afterPiece: seg.pieces.length - 1, ttl: part.prompt_cache_breakpoint.ttl });
    }
  }
  return seg;
}

function itemSegment(item: InputItem, compaction: CompactionState | null): Segment {
  if ('role' in item && typeof item.role === 'string' && 'content' in item) {
    return messageSegment(item.role, item.content as string | ContentPart[]);
  }
  switch (item.type) {
    case 'function_call':
      return segment('item', 'function_call', [`<|call|>${item.name as string}\n`, item.arguments as string]);
    case 'function_call_output':
      return segment('item', 'function_call_output', [
        '<|tool|>\n',
        partsText(item.output as string | ContentPart[]),
      ]);
    case 'compaction':
      // The sim counts its own compaction at the size of the summary it stands for.
      return segment(
        'item',
        'compaction',
        ['<|compaction|>\n', compaction ? compaction.summary : (item.encrypted_content as string)],
        true,
      );
    default:
      return segment('item', item.type ?? 'item', [JSON.stringify(item)]);
  }
}

export function toolSegments(tools: ToolParam[]): Segment[] {
  return tools.map((t) => segment('tool', t.name ?? t.type, [JSON.stringify(t)]));
}

export interface RenderedRequest {
  segments: Segment[];
  view: ConversationView;
}

/**
 * Render tools, instructions and input items (in the real prefix order) into segments, and
 * collect the conversation facts for the script planner. Items before the latest
 * server-side (`auto`) compaction are superseded by it and are not counted.
 */
export function renderResponsesRequest(
  tools: ToolParam[],
  instructions: string | null | undefined,
  items: InputItem[],
): RenderedRequest {
  const view = emptyView();
  const decoded: Array<CompactionState | null> = items.map((it) =>
    it.type === 'compaction' ? readCompaction(it.encrypted_content as string) : null,
  );
  let firstCounted = 0;
  decoded.forEach((c, i) => {
    if (c?.kind === 'auto') firstCounted = i;
  });

  const segments = toolSegments(tools);
  if (instructions) segments.push(segment('instructions', 'instructions', [instructions]));
  items.forEach((item, i) => {
    const compaction = decoded[i] ?? null;
    if (i >= firstCounted) segments.push(itemSegment(item, compaction));
    collect(view, item, compaction);
  });
  const last = items[items.length - 1];
  view.lastUserText =
    last && 'role' in last && last.role === 'user' && 'content' in last
      ? partsText(last.content as string | ContentPart[])
      : null;
  return { segments, view };
}

function collect(view: ConversationView, item: InputItem, compaction: CompactionState | null): void {
  if ('role' in item && 'content' in item) {
    const text = partsText(item.content as string | ContentPart[]);
    if (item.role === 'user') view.userTexts.push(text);
    else if (item.role === 'assistant') view.assistantTexts.push(text);
    return;
  }
  if (item.type === 'function_call') view.callIds.push(item.call_id as string);
  else if (item.type === 'function_call_output') {
    view.lastToolOutput = partsText(item.output as string | ContentPart[]);
  } else if (compaction) view.compactions.push(compaction);
}
