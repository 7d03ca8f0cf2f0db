import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';

export interface SingleTurnSuiteOptions {
  /** names the suite (`bench-<name>`) and appears in each task's text */
  name: string;
  tasks: number;
  samples: number;
  /** the environment variable the openai variant reads its key from */
  keyEnv: string;
}

/**
 * A benchmark suite's one variant: the model `sim-1`, either at an OpenAI-compatible base URL (a sim
 * in its own process, its key in `keyEnv`) or the in-process sim, which is how that child sim learns
 * the suite's scripts.
 */
export function benchVariant(name: string, baseURL: string | null, keyEnv: string) {
  return {
    name,
    model: 'sim-1',
    instructions: 'You are a benchmark agent.',
    ...(baseURL
      ? { provider: 'openai', base_url: `${baseURL}/v1`, api_key_env: keyEnv }
      : { provider: 'sim' }),
  };
}

/**
 * A suite of single-turn tasks (the model answers at once, no tool call), written under `root`.
 * With a base URL its variant is an OpenAI-compatible provider at that URL (a sim in its own
 * process); without one it uses the in-process sim, which is how that child sim learns the scripts.
 */
export function writeSingleTurnSuite(
  root: string,
  baseURL: string | null,
  opts: SingleTurnSuiteOptions,
): string {
  const title = opts.name[0]?.toUpperCase() + opts.name.slice(1);
  for (let i = 0; i < opts.tasks; i++) {
    const dir = join(root, 'tasks', `t${i}`);
    mkdirSync(dir, { recursive: true });
    const task = {
      id: `t${i}`,
      instructions: `${title} benchmark task ${i}: reply done ${i}.`,
      scorer: { type: 'match', mode: 'contains', expected: `done ${i}` },
      sim: { steps: [], final: `done ${i}` },
    };
    writeFileSync(join(dir, 'task.yaml'), toYaml(task));
  }
  const suite = {
    name: `bench-${opts.name}`,
    tasks: ['tasks/*'],
    epochs: opts.samples / opts.tasks,
    variants: [benchVariant('single', baseURL, opts.keyEnv)],
  };
  const file = join(root, baseURL ? 'suite.yaml' : 'sim-suite.yaml');
  writeFileSync(file, toYaml(suite));
  return file;
}
