import type { Scorer, SimStep, TaskSpec } from '../config/index.js';

type FieldPath = PropertyKey[];
type MapText = (text: string, path: FieldPath) => string;

/**
 * Apply `map` to every string of a task that a dataset row may template, returning a new spec:
 * `id`, `description`, `instructions`, inline files' `path` and `content`, `setup` commands,
 * each scorer's `command` / `expected` / `rubric`, and the sim script's strings (`shell`, `say`,
 * `when` conditions, tool `args` at any depth, `raw_arguments`, `final`, the `grade` texts, and
 * the same in each sub-agent script of `agents`, its task text included).
 * Files copied `from` the task folder, `tags`, `image` and `limits` are never templated.
 */
export function mapTemplatedStrings(spec: TaskSpec, map: MapText): TaskSpec {
  const out: TaskSpec = {
    ...spec,
    id: map(spec.id, ['id']),
    instructions: map(spec.instructions, ['instructions']),
    files: spec.files.map((file, i) =>
      'from' in file
        ? file
        : {
            ...file,
            path: map(file.path, ['files', i, 'path']),
            content: map(file.content, ['files', i, 'content']),
          },
    ),
    setup: spec.setup.map((command, i) => map(command, ['setup', i])),
    scorer: Array.isArray(spec.scorer)
      ? spec.scorer.map((scorer, i) => mapScorer(scorer, ['scorer', i], map))
      : mapScorer(spec.scorer, ['scorer'], map),
  };
  if (spec.description !== undefined) out.description = map(spec.description, ['description']);
  if (spec.sim) {
    out.sim = {
      ...spec.sim,
      steps: spec.sim.steps.map((step, i) => mapStep(step, ['sim', 'steps', i], map)),
      final: map(spec.sim.final, ['sim', 'final']),
    };
    const agents = spec.sim.agents;
    if (agents) {
      out.sim.agents = Object.fromEntries(
        Object.entries(agents).map(([task, script]) => {
          const at = ['sim', 'agents', task];
          return [
            map(task, at),
            {
              ...script,
              steps: script.steps.map((step, i) => mapStep(step, [...at, 'steps', i], map)),
              final: map(script.final, [...at, 'final']),
            },
          ];
        }),
      );
    }
    const grade = spec.sim.grade;
    if (grade) {
      out.sim.grade = {
        ...grade,
        explanation: map(grade.explanation, ['sim', 'grade', 'explanation']),
        fail_explanation: map(grade.fail_explanation, ['sim', 'grade', 'fail_explanation']),
        ...(grade.pass_if_answer_contains !== undefined
          ? {
              pass_if_answer_contains: map(grade.pass_if_answer_contains, [
                'sim',
                'grade',
                'pass_if_answer_contains',
              ]),
            }
          : {}),
      };
    }
  }
  return out;
}

function mapScorer(scorer: Scorer, at: FieldPath, map: MapText): Scorer {
  switch (scorer.type) {
    case 'command':
      return { ...scorer, command: map(scorer.command, [...at, 'command']) };
    case 'match':
      return { ...scorer, expected: map(scorer.expected, [...at, 'expected']) };
    case 'model':
      return { ...scorer, rubric: map(scorer.rubric, [...at, 'rubric']) };
  }
}

/** Every templated string of a spec with its field path. */
export function templatedStrings(spec: TaskSpec): Array<{ path: FieldPath; text: string }> {
  const found: Array<{ path: FieldPath; text: string }> = [];
  mapTemplatedStrings(spec, (text, path) => {
    found.push({ path, text });
    return text;
  });
  return found;
}

function mapStep(step: SimStep, at: FieldPath, map: MapText): SimStep {
  const common: Partial<Pick<SimStep, 'say' | 'when'>> = {};
  if (step.say !== undefined) common.say = map(step.say, [...at, 'say']);
  if (step.when !== undefined) {
    const when: NonNullable<SimStep['when']> = {};
    for (const key of ['output_contains', 'output_not_contains'] as const) {
      const text = step.when[key];
      if (text !== undefined) when[key] = map(text, [...at, 'when', key]);
    }
    common.when = when;
  }
  if ('shell' in step) return { ...step, ...common, shell: map(step.shell, [...at, 'shell']) };
  if ('parallel' in step) {
    return {
      ...step,
      ...common,
      parallel: step.parallel.map((call, j) => {
        const callAt = [...at, 'parallel', j];
        return {
          ...call,
          args: mapDeep(call.args, [...callAt, 'args'], map) as Record<string, unknown>,
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
    args: mapDeep(step.args, [...at, 'args'], map) as Record<string, unknown>,
    ...(step.raw_arguments !== undefined
      ? { raw_arguments: map(step.raw_arguments, [...at, 'raw_arguments']) }
      : {}),
  };
}

function mapDeep(value: unknown, at: FieldPath, map: MapText): unknown {
  if (typeof value === 'string') return map(value, at);
  if (Array.isArray(value)) return value.map((item, i) => mapDeep(item, [...at, i], map));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapDeep(v, [...at, k], map)]));
  }
  return value;
}
