import type { SimScript } from '../../config/schema.js';
import { shortId } from '../util/hash.js';
import { type ConversationView, viewFrom } from './conversation.js';
import { type ExpandedStep, expandScript, type ScriptCall } from './expand.js';
import { hasOutputRef, resolveOutputRefs } from './output-refs.js';
import { type Position, positionOf, progressOf } from './position.js';
import { type SimScriptRegistry, taskKeyHash } from './registry.js';
import { isSummaryRequest, summaryText } from './summary.js';

export { progressOf } from './position.js';
export { summaryText } from './summary.js';

export interface PlannedCall {
  name: string;
  /** The call's arguments as a JSON text (for a function tool). */
  arguments: string;
  /** The call's freeform input (for a tool declared `type: custom`). */
  input: string;
  callId: string;
}

export type Plan =
  | { kind: 'calls'; step: number; say: string | null; calls: PlannedCall[] }
  | {
      kind: 'message';
      text: string;
      /** A summary of the conversation (sent as plain text whatever the format asked for). */
      summary: boolean;
      /** Sent exactly as it is (already in the format the request asks for). */
      verbatim?: boolean;
    };

/** The script's next action: a step (from one of its calls), or the final message. */
export interface NextAction {
  step: number;
  call: number;
}

export interface PlanResult {
  plan: Plan;
  /** Steps completed before this turn (the highest one); -1: none. */
  progress: number;
  /** What the script does next, as a compaction or summary records it; null with no script. */
  next: NextAction | null;
  /** Hash of the matched task text, or null when no script matched. */
  taskHash: string | null;
  reasoningTokens: number;
  /** The summary this conversation gets (with its position markers), for a compaction. */
  summarise(): string;
}

export interface PlanOptions {
  /** false: one tool call per response; the rest of a step's calls follow in later turns. */
  parallelToolCalls?: boolean;
}

/**
 * The script of the conversation: the latest user message that is a registered task (a resumed
 * session may hold an earlier task before it), whole or by one of its text parts; else the task a
 * compaction item names. `message` is the index of that user message (null: found by compaction).
 */
export function findScript(
  view: ConversationView,
  registry: SimScriptRegistry,
): { script: SimScript; text: string; message: number | null } | null {
  for (let message = view.userTexts.length - 1; message >= 0; message--) {
    const parts = view.userTextParts.filter((p) => p.message === message).map((p) => p.text);
    for (const text of [view.userTexts[message] as string, ...parts]) {
      const script = registry.find(text);
      if (script) return { script, text, message };
    }
  }
  for (const c of view.compactions) {
    const text = c.task ? registry.textForHash(c.task) : undefined;
    const script = text ? registry.find(text) : undefined;
    if (script && text) return { script, text, message: null };
  }
  return null;
}

function conditionHolds(step: ExpandedStep, lastOutput: string | null): boolean {
  const w = step.when;
  if (!w) return true;
  if (w.output_contains !== undefined && !(lastOutput ?? '').includes(w.output_contains)) return false;
  if (w.output_not_contains !== undefined && (lastOutput ?? '').includes(w.output_not_contains)) return false;
  return true;
}

/**
 * The next action from a position: a resumed position as it stands, otherwise the first step
 * from there whose condition holds on the last tool output; past the last step, the final
 * message (`step === steps.length`).
 */
export function nextAction(
  position: Position,
  steps: readonly ExpandedStep[],
  lastOutput: string | null,
): NextAction {
  if (position.resume || position.step >= steps.length) return { step: position.step, call: position.call };
  for (let s = position.step; s < steps.length; s++) {
    if (conditionHolds(steps[s] as ExpandedStep, lastOutput)) return { step: s, call: 0 };
  }
  return { step: steps.length, call: 0 };
}

/** Freeform input of a call to a custom tool: the raw arguments, a lone `input` string, or JSON. */
function customInput(call: ScriptCall, json: string): string {
  if (call.rawArguments !== undefined) return call.rawArguments;
  const keys = Object.keys(call.args);
  const input = call.args.input;
  return keys.length === 1 && typeof input === 'string' ? input : json;
}

/**
 * Decide this turn's output from the request alone: a summary when one is asked for, else the
 * script's next action (see `positionOf` and `nextAction`), else the final message.
 */
export function planTurn(
  view: ConversationView,
  registry: SimScriptRegistry,
  seed: number,
  options: PlanOptions = {},
): PlanResult {
  const found = findScript(view, registry);
  const taskHash = found ? taskKeyHash(found.text) : null;
  const reasoningTokens = found?.script.reasoning_tokens ?? 0;
  const steps = found ? expandScript(found.script) : null;
  // the script stands where the conversation since its task message says
  const task = found?.message != null ? viewFrom(view, found.message) : view;
  const next = steps ? nextAction(positionOf(task, steps), steps, task.lastToolOutput) : null;
  const progress = next ? next.step - 1 : progressOf(view);
  const summarise = () => summaryText({ view: task, taskText: found?.text ?? null, progress, next, steps });
  const result = (plan: Plan): PlanResult => ({
    plan,
    progress,
    next,
    taskHash,
    reasoningTokens,
    summarise,
  });

  if (isSummaryRequest(view, registry)) return result({ kind: 'message', text: summarise(), summary: true });
  if (!found || !steps || !next) return result({ kind: 'message', text: 'Done.', summary: false });
  const step = steps[next.step];
  if (!step) return result({ kind: 'message', text: found.script.final, summary: false });

  const parallel = options.parallelToolCalls ?? true;
  const chosen = parallel ? step.calls.slice(next.call) : step.calls.slice(next.call, next.call + 1);
  const calls = chosen.map((c, i) => {
    const k = next.call + i;
    const args = hasOutputRef(c.args) ? resolveOutputRefs(c.args, task.jsonOutputs) : c.args;
    const json = c.rawArguments ?? JSON.stringify(args);
    return {
      name: c.tool,
      arguments: json,
      input: customInput({ ...c, args }, json),
      callId: `call_s${next.step}_${k}_${shortId([seed, taskHash ?? '', next.step, k])}`,
    };
  });
  const say = next.call === 0 ? (step.say ?? null) : null;
  return result({ kind: 'calls', step: next.step, say, calls });
}
