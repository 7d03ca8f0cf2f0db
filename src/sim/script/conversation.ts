import type { CompactionState } from '../compaction/codec.js';

/**
 * The facts the script planner needs from a request, independent of the wire format
 * (Responses items or Chat Completions messages).
 */
export interface ConversationView {
  /** Text of every user message, in order. */
  userTexts: string[];
  /** For each user message (as `userTexts`), how much of the conversation came before it. */
  userMarks: UserMark[];
  /**
   * Each text part of a user message sent in several text parts, in order, with the index of its
   * message: a client may wrap the task in parts of its own (Codex puts the prompt after the tags
   * around an attached image).
   */
  userTextParts: Array<{ text: string; message: number }>;
  /** Text of the last input item when it is a user message, else null. */
  lastUserText: string | null;
  /** call ids of the tool calls already in the history (function and custom calls). */
  callIds: string[];
  /** Output of the most recent tool call result, or null. */
  lastToolOutput: string | null;
  /** How many tool call results the conversation holds. */
  toolOutputs: number;
  /**
   * The tool results that are JSON objects (Codex's `spawn_agent` answers `{"agent_id", …}`), in
   * order, each with its index among all results: what `{{output.<field>}}` in a step reads.
   */
  jsonOutputs: JsonOutput[];
  /** Texts of assistant messages (scanned for progress markers). */
  assistantTexts: string[];
  /** Decoded sim compaction items in the history. */
  compactions: CompactionState[];
  /** How many tools the request declares (a summary request typically declares none). */
  toolCount: number;
}

export function emptyView(): ConversationView {
  return {
    userTexts: [],
    userMarks: [],
    userTextParts: [],
    lastUserText: null,
    callIds: [],
    lastToolOutput: null,
    toolOutputs: 0,
    jsonOutputs: [],
    assistantTexts: [],
    compactions: [],
    toolCount: 0,
  };
}

export interface JsonOutput {
  /** Its index among the conversation's tool results. */
  index: number;
  fields: Record<string, unknown>;
}

/** Tool results longer than this are not read as JSON (a step refers to short answers). */
const MAX_JSON_OUTPUT_CHARS = 65_536;

/** Record a tool result: the last one's text, the count, and its fields when it is a JSON object. */
export function addToolOutput(view: ConversationView, text: string): void {
  const index = view.toolOutputs;
  view.lastToolOutput = text;
  view.toolOutputs += 1;
  if (text.length > MAX_JSON_OUTPUT_CHARS || !text.trimStart().startsWith('{')) return;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      view.jsonOutputs.push({ index, fields: parsed as Record<string, unknown> });
    }
  } catch {
    // not JSON after all: only its text counts
  }
}

/** How many calls, results, assistant texts and compactions came before a user message. */
export interface UserMark {
  callIds: number;
  toolOutputs: number;
  assistantTexts: number;
  compactions: number;
}

/** Record a user message with its text (and its text parts, when it has several). */
export function addUserMessage(view: ConversationView, text: string, parts: readonly string[] = []): void {
  view.userMarks.push({
    callIds: view.callIds.length,
    toolOutputs: view.toolOutputs,
    assistantTexts: view.assistantTexts.length,
    compactions: view.compactions.length,
  });
  const message = view.userTexts.push(text) - 1;
  if (parts.length > 1) for (const part of parts) view.userTextParts.push({ text: part, message });
}

/**
 * The conversation from user message `index` on: what came before it (an earlier task of a
 * resumed session, its calls and answers) is left out. A view built without marks is kept whole.
 */
export function viewFrom(view: ConversationView, index: number): ConversationView {
  const mark = view.userMarks[index];
  if (!mark || index === 0) return view;
  return {
    ...view,
    userTexts: view.userTexts.slice(index),
    userMarks: view.userMarks.slice(index),
    userTextParts: view.userTextParts.filter((p) => p.message >= index),
    callIds: view.callIds.slice(mark.callIds),
    lastToolOutput: view.toolOutputs > mark.toolOutputs ? view.lastToolOutput : null,
    jsonOutputs: view.jsonOutputs.filter((o) => o.index >= mark.toolOutputs),
    assistantTexts: view.assistantTexts.slice(mark.assistantTexts),
    compactions: view.compactions.slice(mark.compactions),
  };
}
