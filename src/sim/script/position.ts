import type { ConversationView } from './conversation.js';
import type { ExpandedStep } from './expand.js';

/**
 * Where a script stands in a conversation, read from the request alone (the sim keeps no
 * session state): the tool-call ids it issued (`call_s<step>_<call>_…`), the progress markers
 * of summaries (`[sim-progress:P]`, `[sim-next:S.K]`) and the states of its compaction items.
 */
export interface Position {
  step: number;
  call: number;
  /**
   * The action at this position is taken as it stands: the rest of a step already begun, or
   * the action a summary or compaction recorded (its condition was checked on the tool output
   * that the compaction dropped). Otherwise the next step's condition is checked first.
   */
  resume: boolean;
}

const CALL_ID = /^call_s(\d+)_(\d+)_/;
const PROGRESS = /\[sim-progress:(-?\d+)\]/g;
const NEXT = /\[sim-next:(\d+)\.(\d+)\]/g;

export function progressMarker(step: number): string {
  return `[sim-progress:${step}]`;
}

export function nextMarker(p: { step: number; call: number }): string {
  return `[sim-next:${p.step}.${p.call}]`;
}

/** A text that carries a progress marker is a summary, never a request for one. */
export function hasMarker(text: string): boolean {
  return text.includes('[sim-progress:') || text.includes('[sim-next:');
}

/** Highest step any source says was reached (call ids, compaction states, progress markers). */
export function progressOf(view: ConversationView): number {
  let progress = -1;
  for (const id of view.callIds) {
    const m = CALL_ID.exec(id);
    if (m) progress = Math.max(progress, Number(m[1]));
  }
  for (const c of view.compactions) progress = Math.max(progress, c.step);
  for (const text of markerTexts(view)) {
    for (const m of text.matchAll(PROGRESS)) progress = Math.max(progress, Number(m[1]));
  }
  return progress;
}

function markerTexts(view: ConversationView): string[] {
  return [...view.assistantTexts, ...view.userTexts];
}

/**
 * The furthest position any source records, normalised so that a finished step moves on to the
 * start of the next one (whose condition is then checked). Positions compare by (step, call);
 * at a tie a resumable position wins.
 */
export function positionOf(view: ConversationView, steps: readonly ExpandedStep[]): Position {
  let best: Position = { step: 0, call: 0, resume: false };
  const consider = (step: number, call: number, resume: boolean): void => {
    let p: Position = { step, call, resume };
    const size = steps[step]?.calls.length;
    if (size !== undefined && call >= size) p = { step: step + 1, call: 0, resume: false };
    if (p.step > best.step || (p.step === best.step && p.call > best.call)) best = p;
    else if (p.step === best.step && p.call === best.call && p.resume) best = p;
  };
  for (const id of view.callIds) {
    const m = CALL_ID.exec(id);
    // the calls of a step that come after this one are its rest, taken without a new check
    if (m) consider(Number(m[1]), Number(m[2]) + 1, true);
  }
  for (const c of view.compactions) {
    consider(c.step + 1, 0, false);
    if (c.next) consider(c.next[0], c.next[1], true);
  }
  for (const text of markerTexts(view)) {
    if (!text.includes('[sim-')) continue;
    for (const m of text.matchAll(PROGRESS)) consider(Number(m[1]) + 1, 0, false);
    for (const m of text.matchAll(NEXT)) consider(Number(m[1]), Number(m[2]), true);
  }
  return best;
}
