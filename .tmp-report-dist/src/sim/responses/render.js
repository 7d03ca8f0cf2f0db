import { readCompaction } from '../compaction/memo.js';
import { segment } from '../prompt/segments.js';
import { emptyView } from '../script/conversation.js';
export function partsText(content) {
    if (typeof content === 'string')
        return content;
    return content.map((p) => p.text ?? p.refusal ?? '').join('');
}
function partPiece(p) {
    if (p.text !== undefined)
        return p.text;
    if (p.refusal !== undefined)
        return p.refusal;
    // images, files, audio: a stable placeholder per part type
    return `[${p.type}]`;
}
function messageSegment(role, content) {
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
function itemSegment(item, compaction) {
    if ('role' in item && typeof item.role === 'string' && 'content' in item) {
        return messageSegment(item.role, item.content);
    }
    switch (item.type) {
        case 'function_call':
            return segment('item', 'function_call', [`<|call|>${item.name}\n`, item.arguments]);
        case 'function_call_output':
            return segment('item', 'function_call_output', [
                '<|tool|>\n',
                partsText(item.output),
            ]);
        case 'compaction':
            // The sim counts its own compaction at the size of the summary it stands for.
            return segment('item', 'compaction', ['<|compaction|>\n', compaction ? compaction.summary : item.encrypted_content], true);
        default:
            return segment('item', item.type ?? 'item', [JSON.stringify(item)]);
    }
}
export function toolSegments(tools) {
    return tools.map((t) => segment('tool', t.name ?? t.type, [JSON.stringify(t)]));
}
/**
 * Render tools, instructions and input items (in the real prefix order) into segments, and
 * collect the conversation facts for the script planner. Items before the latest
 * server-side (`auto`) compaction are superseded by it and are not counted.
 */
export function renderResponsesRequest(tools, instructions, items) {
    const view = emptyView();
    const decoded = items.map((it) => it.type === 'compaction' ? readCompaction(it.encrypted_content) : null);
    let firstCounted = 0;
    decoded.forEach((c, i) => {
        if (c?.kind === 'auto')
            firstCounted = i;
    });
    const segments = toolSegments(tools);
    if (instructions)
        segments.push(segment('instructions', 'instructions', [instructions]));
    items.forEach((item, i) => {
        const compaction = decoded[i] ?? null;
        if (i >= firstCounted)
            segments.push(itemSegment(item, compaction));
        collect(view, item, compaction);
    });
    const last = items[items.length - 1];
    view.lastUserText =
        last && 'role' in last && last.role === 'user' && 'content' in last
            ? partsText(last.content)
            : null;
    return { segments, view };
}
function collect(view, item, compaction) {
    if ('role' in item && 'content' in item) {
        const text = partsText(item.content);
        if (item.role === 'user')
            view.userTexts.push(text);
        else if (item.role === 'assistant')
            view.assistantTexts.push(text);
        return;
    }
    if (item.type === 'function_call')
        view.callIds.push(item.call_id);
    else if (item.type === 'function_call_output') {
        view.lastToolOutput = partsText(item.output);
    }
    else if (compaction)
        view.compactions.push(compaction);
}
//# sourceMappingURL=render.js.map