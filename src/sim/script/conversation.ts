import type { CompactionState } from '../compaction/codec.js';

/**
 * The facts the script planner needs from a request, independent of the wire format
 * (Responses items or Chat Completions messages).
 */
export interface ConversationView {
  /** Text of every user message, in order. */
  userTexts: string[];
  /**
   * Each text part of a user message sent in several text parts, in order: a client may wrap the
   * task in parts of its own (Codex puts the prompt after the tags around an attached image).
   */
  userTextParts: string[];
  /** Text of the last input item when it is a user message, else null. */
  lastUserText: string | null;
  /** call ids of the tool calls already in the history (function and custom calls). */
  callIds: string[];
  /** Output of the most recent tool call result, or null. */
  lastToolOutput: string | null;
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
    userTextParts: [],
    lastUserText: null,
    callIds: [],
    lastToolOutput: null,
    assistantTexts: [],
    compactions: [],
    toolCount: 0,
  };
}
