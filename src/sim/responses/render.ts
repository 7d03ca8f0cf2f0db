import { type CompactionState, readCompaction } from '../compaction/codec.js';
import { type Segment, segment } from '../prompt/segments.js';
import { hiddenReasoningText, readReasoning } from '../reasoning/codec.js';
import { addToolOutput, addUserMessage, type ConversationView, emptyView } from '../script/conversation.js';
import type { ContentPart, InputItem, ReasoningItem, ToolParam } from './schema.js';

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

/** A call's tool name as the model wrote it: with its namespace when it has one. */
function callName(item: InputItem): string {
  const namespace = (item as { namespace?: unknown }).namespace;
  const name = item.name as string;
  return typeof namespace === 'string' && namespace !== '' ? `${namespace}.${name}` : name;
}

function itemSegment(item: InputItem, compaction: CompactionState | null): Segment {
  if ('role' in item && typeof item.role === 'string' && 'content' in item) {
    return messageSegment(item.role, item.content as string | ContentPart[]);
  }
  switch (item.type) {
    case 'function_call':
      return segment('item', 'function_call', [`<|call|>${callName(item)}\n`, item.arguments as string]);
    case 'function_call_output':
      return segment('item', 'function_call_output', [
        '<|tool|>\n',
        partsText(item.output as string | ContentPart[]),
      ]);
    case 'custom_tool_call':
      return segment('item', 'custom_tool_call', [`<|call|>${callName(item)}\n`, item.input as string]);
    case 'custom_tool_call_output':
      return segment('item', 'custom_tool_call_output', [
        '<|tool|>\n',
        partsText(item.output as string | ContentPart[]),
      ]);
    case 'reasoning':
      return reasoningSegment(item as ReasoningItem);
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

/**
 * A reasoning item counts as its summary plus the reasoning it carries: for the sim's own
 * encrypted content, the reasoning tokens it stands for; for anyone else's, the content as text.
 * An item with neither (a reference by id to stored reasoning) counts as its JSON.
 */
function reasoningSegment(item: ReasoningItem): Segment {
  const pieces = ['<|reasoning|>\n'];
  for (const part of item.summary) pieces.push(part.text);
  const content = item.encrypted_content;
  if (content) {
    const state = readReasoning(content);
    pieces.push(state ? hiddenReasoningText(state.tokens) : content);
  } else if (item.summary.length === 0) {
    pieces.push(JSON.stringify(item));
  }
  return segment('item', 'reasoning', pieces);
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
 * collect the conversation facts for the script planner. Every item is counted wherever a
 * compaction item stands (clients keep instructions, environment and task before it); a
 * compaction item counts as the summary it replaced.
 */
export function renderResponsesRequest(
  tools: ToolParam[],
  instructions: string | null | undefined,
  items: InputItem[],
): RenderedRequest {
  const view = emptyView();
  view.toolCount = tools.length;
  const segments = toolSegments(tools);
  if (instructions) segments.push(segment('instructions', 'instructions', [instructions]));
  for (const item of items) {
    const compaction = item.type === 'compaction' ? readCompaction(item.encrypted_content as string) : null;
    segments.push(itemSegment(item, compaction));
    collect(view, item, compaction);
  }
  const last = items[items.length - 1];
  view.lastUserText =
    last && 'role' in last && last.role === 'user' && 'content' in last
      ? partsText(last.content as string | ContentPart[])
      : null;
  return { segments, view };
}

function collect(view: ConversationView, item: InputItem, compaction: CompactionState | null): void {
  if ('role' in item && 'content' in item) {
    const content = item.content as string | ContentPart[];
    const text = partsText(content);
    if (item.role === 'user') {
      const parts = typeof content === 'string' ? [] : content.flatMap((p) => p.text ?? []);
      addUserMessage(view, text, parts);
    } else if (item.role === 'assistant') view.assistantTexts.push(text);
    return;
  }
  if (item.type === 'function_call' || item.type === 'custom_tool_call') {
    view.callIds.push(item.call_id as string);
  } else if (item.type === 'function_call_output' || item.type === 'custom_tool_call_output') {
    addToolOutput(view, partsText(item.output as string | ContentPart[]));
  } else if (item.type === 'tool_search_call') {
    // a client tool search is a step of the script like any call (its id says which)
    const callId = (item as { call_id?: unknown }).call_id;
    if (typeof callId === 'string') view.callIds.push(callId);
  } else if (item.type === 'tool_search_output') {
    addToolOutput(view, JSON.stringify((item as { tools?: unknown }).tools ?? []));
  } else if (compaction) view.compactions.push(compaction);
}
