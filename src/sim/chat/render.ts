import { type Segment, segment } from '../prompt/segments.js';
import { addToolOutput, addUserMessage, type ConversationView, emptyView } from '../script/conversation.js';
import { type ChatCreateBody, contentText } from './schema.js';

/** Chat Completions prompt in prefix order: tools, then messages as sent. */
export function renderChatRequest(body: ChatCreateBody): { segments: Segment[]; view: ConversationView } {
  const segments: Segment[] = (body.tools ?? []).map((t) =>
    segment('tool', t.function?.name ?? t.type, [JSON.stringify(t)]),
  );
  const view = emptyView();
  view.toolCount = body.tools?.length ?? 0;
  for (const m of body.messages) {
    const text = contentText(m.content);
    const seg = segment(m.role === 'system' || m.role === 'developer' ? 'instructions' : 'item', m.role, [
      `<|${m.role}|>\n`,
      text,
    ]);
    if (m.role === 'user') addUserMessage(view, text);
    else if (m.role === 'tool') addToolOutput(view, text);
    else if (m.role === 'assistant') {
      if (text) view.assistantTexts.push(text);
      for (const call of m.tool_calls ?? []) {
        view.callIds.push(call.id);
        seg.pieces.push(`<|call|>${call.function.name}\n`, call.function.arguments);
      }
    }
    segments.push(seg);
  }
  const last = body.messages[body.messages.length - 1];
  view.lastUserText = last?.role === 'user' ? contentText(last.content) : null;
  return { segments, view };
}
