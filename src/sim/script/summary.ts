import type { ConversationView } from './conversation.js';
import type { ExpandedStep } from './expand.js';
import { hasMarker, nextMarker, progressMarker } from './position.js';
import type { SimScriptRegistry } from './registry.js';

/** "Summarize the conversation…", "Please write a summary…": an imperative that asks for one. */
const SUMMARY_IMPERATIVE = /^\s*(please\s+)?(summari[sz]e|write a summary|give a summary)\b/i;
const SUMMARY_WORD = /\bsummar(y|ies|i[sz]e|i[sz]ing)\b/i;
/** What a compaction prompt says it is for (Codex: "CONTEXT CHECKPOINT COMPACTION … handoff summary"). */
const HANDOFF_WORD = /\b(hand-?off|hand off|checkpoint|compact(ion|ing)?|resume|continue the (task|work))\b/i;
/** What a summary is of, in a request that declares no tools. */
const CONVERSATION_WORD = /\b(conversation|context|so far|progress|work done|history)\b/i;
/** A compaction prompt says what it wants near its start. */
const HEAD_CHARS = 2000;

/**
 * A request for a summary or handoff of the conversation, recognised by what it is: its last
 * item is a user message that opens with an imperative to summarise, or that asks for a summary
 * to hand the work over (Codex compacts inline with "You are performing a CONTEXT CHECKPOINT
 * COMPACTION. Create a handoff summary…" and `tools: []`), or — when the request declares no
 * tools, as summary requests typically do — that asks for a summary of the conversation. A
 * registered task text is never one, nor a text that already is a summary (it carries a
 * progress marker).
 */
export function isSummaryRequest(view: ConversationView, registry: SimScriptRegistry): boolean {
  const text = view.lastUserText;
  if (text === null || hasMarker(text) || registry.has(text)) return false;
  if (SUMMARY_IMPERATIVE.test(text)) return true;
  const head = text.length > HEAD_CHARS ? text.slice(0, HEAD_CHARS) : text;
  if (!SUMMARY_WORD.test(head)) return false;
  if (HANDOFF_WORD.test(head)) return true;
  return view.toolCount === 0 && CONVERSATION_WORD.test(head);
}

export interface SummaryInput {
  view: ConversationView;
  taskText: string | null;
  /** Steps completed (the highest one); -1: none. */
  progress: number;
  /** The script's next action; null with no script. */
  next: { step: number; call: number } | null;
  steps: readonly ExpandedStep[] | null;
}

function clip(text: string, chars: number): string {
  return text.length > chars ? `${text.slice(0, chars)}…` : text;
}

/** The text as a sentence: a full stop added unless it already ends in one. */
function sentence(text: string): string {
  const trimmed = text.trimEnd();
  return /[.!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function nextDescription(next: SummaryInput['next'], steps: SummaryInput['steps']): string {
  if (!next || !steps) return '';
  const step = steps[next.step];
  if (!step) return ' Next: the final answer.';
  const tools = step.calls.slice(next.call).map((c) => c.tool);
  return ` Next: step ${next.step + 1} of ${steps.length} (${tools.join(', ')}).`;
}

/**
 * The sim's summary of a conversation: deterministic, short, and carrying the script's position
 * as markers so that the script resumes after the compaction where it stood.
 */
export function summaryText(s: SummaryInput): string {
  const task = s.taskText ?? s.view.userTexts[0] ?? '(no task)';
  const last = s.view.lastToolOutput ? ` Last tool output: ${clip(s.view.lastToolOutput, 400)}` : '';
  let markers = '';
  if (s.next) markers = ` ${progressMarker(s.progress)} ${nextMarker(s.next)}`;
  else if (s.progress >= 0) markers = ` ${progressMarker(s.progress)}`;
  return (
    `Summary of the work so far. Task: ${sentence(clip(task, 400))} Tool calls made: ${s.view.callIds.length}.` +
    `${last}${nextDescription(s.next, s.steps)}${markers}`
  );
}
