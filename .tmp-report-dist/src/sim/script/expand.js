function substitute(value, i) {
    if (typeof value === 'string')
        return value.replaceAll('{{i}}', String(i));
    if (Array.isArray(value))
        return value.map((v) => substitute(v, i));
    if (value && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, i)]));
    }
    return value;
}
function callsOf(step) {
    if ('shell' in step) {
        // Codex's shell tool shape: an argv, run through a login shell.
        return [{ tool: 'shell', args: { command: ['bash', '-lc', step.shell] }, rawArguments: undefined }];
    }
    if ('parallel' in step) {
        return step.parallel.map((c) => ({ tool: c.tool, args: c.args, rawArguments: c.raw_arguments }));
    }
    return [{ tool: step.tool, args: step.args, rawArguments: step.raw_arguments }];
}
const cache = new WeakMap();
/** Flatten `repeat` into individual steps (with `{{i}}`, 1-based); memoised per script. */
export function expandScript(script) {
    const hit = cache.get(script);
    if (hit)
        return hit;
    const out = [];
    for (const step of script.steps) {
        const times = step.repeat ?? 1;
        for (let i = 1; i <= times; i++) {
            out.push(substitute({ when: step.when, say: step.say, calls: callsOf(step) }, i));
        }
    }
    cache.set(script, out);
    return out;
}
//# sourceMappingURL=expand.js.map