/**
 * Apply `map` to every string of a task that a dataset row may template, returning a new spec:
 * `id`, `description`, `instructions`, inline files' `path` and `content`, `setup` commands,
 * the scorer's `command` / `expected`, and the sim script's strings (`shell`, `say`, `when`
 * conditions, tool `args` at any depth, `raw_arguments`, `final`). Files copied `from` the task
 * folder, `tags`, `image` and `limits` are never templated.
 */
export function mapTemplatedStrings(spec, map) {
    const out = {
        ...spec,
        id: map(spec.id, ['id']),
        instructions: map(spec.instructions, ['instructions']),
        files: spec.files.map((file, i) => 'from' in file
            ? file
            : {
                ...file,
                path: map(file.path, ['files', i, 'path']),
                content: map(file.content, ['files', i, 'content']),
            }),
        setup: spec.setup.map((command, i) => map(command, ['setup', i])),
        scorer: spec.scorer.type === 'command'
            ? { ...spec.scorer, command: map(spec.scorer.command, ['scorer', 'command']) }
            : { ...spec.scorer, expected: map(spec.scorer.expected, ['scorer', 'expected']) },
    };
    if (spec.description !== undefined)
        out.description = map(spec.description, ['description']);
    if (spec.sim) {
        out.sim = {
            ...spec.sim,
            steps: spec.sim.steps.map((step, i) => mapStep(step, ['sim', 'steps', i], map)),
            final: map(spec.sim.final, ['sim', 'final']),
        };
    }
    return out;
}
/** Every templated string of a spec with its field path. */
export function templatedStrings(spec) {
    const found = [];
    mapTemplatedStrings(spec, (text, path) => {
        found.push({ path, text });
        return text;
    });
    return found;
}
function mapStep(step, at, map) {
    const common = {};
    if (step.say !== undefined)
        common.say = map(step.say, [...at, 'say']);
    if (step.when !== undefined) {
        const when = {};
        for (const key of ['output_contains', 'output_not_contains']) {
            const text = step.when[key];
            if (text !== undefined)
                when[key] = map(text, [...at, 'when', key]);
        }
        common.when = when;
    }
    if ('shell' in step)
        return { ...step, ...common, shell: map(step.shell, [...at, 'shell']) };
    if ('parallel' in step) {
        return {
            ...step,
            ...common,
            parallel: step.parallel.map((call, j) => {
                const callAt = [...at, 'parallel', j];
                return {
                    ...call,
                    args: mapDeep(call.args, [...callAt, 'args'], map),
                    ...(call.raw_arguments !== undefined
                        ? { raw_arguments: map(call.raw_arguments, [...callAt, 'raw_arguments']) }
                        : {}),
                };
            }),
        };
    }
    return {
        ...step,
        ...common,
        args: mapDeep(step.args, [...at, 'args'], map),
        ...(step.raw_arguments !== undefined
            ? { raw_arguments: map(step.raw_arguments, [...at, 'raw_arguments']) }
            : {}),
    };
}
function mapDeep(value, at, map) {
    if (typeof value === 'string')
        return map(value, at);
    if (Array.isArray(value))
        return value.map((item, i) => mapDeep(item, [...at, i], map));
    if (value !== null && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapDeep(v, [...at, k], map)]));
    }
    return value;
}
//# sourceMappingURL=render-spec.js.map