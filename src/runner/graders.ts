import { type ModelScorer, scorersOf } from '../config/index.js';
import { GradeClient, type NormalisedUsage, resolveEndpoint } from '../model/index.js';
import type { GraderAccess } from '../scoring/index.js';
import type { LoadedTask } from '../tasks/index.js';

/** The model scorers of a suite's tasks, each with the task that names it. */
export function modelScorersOf(tasks: readonly LoadedTask[]): Array<{ task: LoadedTask; spec: ModelScorer }> {
  return tasks.flatMap((task) =>
    scorersOf(task.spec.scorer)
      .filter((s): s is ModelScorer => s.type === 'model')
      .map((spec) => ({ task, spec })),
  );
}

const keyOf = (spec: ModelScorer) => JSON.stringify([spec.provider, spec.base_url ?? null, spec.api_key_env]);

/**
 * One grade client per distinct grader endpoint. Every endpoint is resolved when the pool is
 * made, so a missing API key fails the run before it starts, like a variant's.
 */
export class GraderPool implements GraderAccess {
  private readonly clients = new Map<string, GradeClient>();

  constructor(
    tasks: readonly LoadedTask[],
    env: NodeJS.ProcessEnv,
    simBaseURL: string | null,
    readonly costOf: (model: string, usage: NormalisedUsage) => number | null,
  ) {
    for (const { task, spec } of modelScorersOf(tasks)) {
      const key = keyOf(spec);
      if (this.clients.has(key)) continue;
      const endpoint = resolveEndpoint(
        { name: 'grader', provider: spec.provider, api_key_env: spec.api_key_env, base_url: spec.base_url },
        env,
        simBaseURL,
        `the model scorer of task "${task.id}"`,
      );
      this.clients.set(key, new GradeClient({ ...endpoint, provider: spec.provider }));
    }
  }

  get size(): number {
    return this.clients.size;
  }

  clientFor(spec: ModelScorer): GradeClient {
    const client = this.clients.get(keyOf(spec));
    if (!client) throw new Error(`no grader for provider ${spec.provider}`);
    return client;
  }
}
