import { shortId } from '../util/hash.js';
import { expandScript } from './expand.js';
import { taskKeyHash } from './registry.js';
const CALL_ID = /^call_s(\d+)_/;
const MARKER = /\[sim-progress:(-?\d+)\]/g;
/**
 * A summary request asks for one: it opens with the imperative ("Summarize the conversation…").
 * A message that *is* a summary ("Summary of the work so far…", left by a compaction) is not one.
 */
const SUMMARY_REQUEST = /^\s*(please\s+)?(summari[sz]e|write a summary|give a summary)\b/i;
export function progressMarker(step) {
    return `[sim-progress:${step}]`;
}
export function findScript(view, registry) {
    for (const text of view.userTexts) {
        const script = registry.find(text);
        if (script)
            return { script, text };
    }
    for (const c of view.compactions) {
        const text = c.task ? registry.textForHash(c.task) : undefined;
        const script = text ? registry.find(text) : undefined;
        if (script && text)
            return { script, text };
    }
    return null;
}
/** Highest step reached, from call ids, compaction states and summary markers. */
export function progressOf(view) {
    let progress = -1;
    for (const id of view.callIds) {
        const m = CALL_ID.exec(id);
        if (m)
            progress = Math.max(progress, Number(m[1]));
    }
    for (const c of view.compactions)
        progress = Math.max(progress, c.step);
    for (const text of [...view.assistantTexts, ...view.userTexts]) {
        for (const m of text.matchAll(MARKER))
            progress = Math.max(progress, Number(m[1]));
    }
    return progress;
}
export function isSummaryRequest(view, registry) {
    const text = view.lastUserText;
    return text !== null && SUMMARY_REQUEST.test(text) && !registry.has(text) && !registry.has(text.trim());
}
function conditionHolds(step, lastOutput) {
    const w = step.when;
    if (!w)
        return true;
    if (w.output_contains !== undefined && !(lastOutput ?? '').includes(w.output_contains))
        return false;
    if (w.output_not_contains !== undefined && (lastOutput ?? '').includes(w.output_not_contains))
        return false;
    return true;
}
export function summaryText(view, taskText, progress) {
    const task = taskText ?? view.userTexts[0] ?? '(no task)';
    const last = view.lastToolOutput ? ` Last tool output: ${view.lastToolOutput.slice(0, 400)}` : '';
    const marker = progress >= 0 ? ` ${progressMarker(progress)}` : '';
    return `Summary of the work so far. Task: ${task.slice(0, 400)}. Tool calls made: ${view.callIds.length}.${last}${marker}`;
}
/**
 * Decide this turn's output from the request alone: the next script step whose condition
 * holds after the highest step already in the history, or the final message.
 */
export function planTurn(view, registry, seed) {
    const found = findScript(view, registry);
    const progress = progressOf(view);
    const taskHash = found ? taskKeyHash(found.text) : null;
    const reasoningTokens = found?.script.reasoning_tokens ?? 0;
    if (isSummaryRequest(view, registry)) {
        return {
            plan: { kind: 'message', text: summaryText(view, found?.text ?? null, progress) },
            progress,
            taskHash,
            reasoningTokens,
        };
    }
    if (!found) {
        return { plan: { kind: 'message', text: 'Done.' }, progress, taskHash, reasoningTokens };
    }
    const steps = expandScript(found.script);
    for (let s = progress + 1; s < steps.length; s++) {
        const step = steps[s];
        if (!conditionHolds(step, view.lastToolOutput))
            continue;
        const calls = step.calls.map((c, k) => ({
            name: c.tool,
            arguments: c.rawArguments ?? JSON.stringify(c.args),
            callId: `call_s${s}_${k}_${shortId([seed, taskHash ?? '', s, k])}`,
        }));
        return {
            plan: { kind: 'calls', step: s, say: step.say ?? null, calls },
            progress,
            taskHash,
            reasoningTokens,
        };
    }
    return { plan: { kind: 'message', text: found.script.final }, progress, taskHash, reasoningTokens };
}
//# sourceMappingURL=plan.js.map