import { ConfigError, MAX_SAMPLES, type VariantSpec } from '../config/index.js';
import type { LoadedSuite, LoadedTask, Sample } from './types.js';

export interface ExpandOptions {
  /** Keep only these variant names (unknown names are an error). */
  variants?: readonly string[];
  /** Keep only these task ids; a dataset task's base id keeps all its rows (`id` matches `id/...`). */
  tasks?: readonly string[];
  /** Override the suite's epochs. */
  epochs?: number;
}

/**
 * The sample id: `<task id>__<variant>__e<epoch>`, with the `/` of dataset task ids replaced by `~`.
 * It only holds letters, digits, `.`, `_`, `-` and `~`, so it is safe in file names and URLs.
 */
export function sampleIdFor(taskId: string, variant: string, epoch: number): string {
  return `${taskId.replaceAll('/', '~')}__${variant}__e${epoch}`;
}

/**
 * Expand a suite into samples. Order: for each epoch, for each task, for each variant, so a run
 * stopped part-way has covered every variant on the same tasks.
 */
export function expandSamples(suite: LoadedSuite, opts: ExpandOptions = {}): Sample[] {
  const variants = pickVariants(suite, opts.variants);
  const tasks = pickTasks(suite, opts.tasks);
  const epochs = opts.epochs ?? suite.spec.epochs;
  if (!Number.isInteger(epochs) || epochs < 1) {
    throw new ConfigError({
      file: suite.file,
      field: 'epochs',
      detail: `expected a positive integer, got ${epochs}`,
    });
  }

  const count = tasks.length * variants.length * epochs;
  if (count > MAX_SAMPLES) {
    throw new ConfigError({
      file: suite.file,
      field: opts.epochs !== undefined ? null : 'epochs',
      detail: `${plural(tasks.length, 'task')} x ${plural(variants.length, 'variant')} x ${plural(epochs, 'epoch')} = ${count} samples; a run holds at most ${MAX_SAMPLES}`,
    });
  }

  const samples: Sample[] = [];
  const seen = new Map<string, Sample>();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    for (const task of tasks) {
      for (const variant of variants) {
        const sample = { sampleId: sampleIdFor(task.id, variant.name, epoch), task, variant, epoch };
        const clash = seen.get(sample.sampleId);
        if (clash) {
          throw new ConfigError({
            file: suite.file,
            field: 'variants',
            detail: `sample id "${sample.sampleId}" is produced by both task "${clash.task.id}" x variant "${clash.variant.name}" and task "${task.id}" x variant "${variant.name}"; rename one`,
          });
        }
        seen.set(sample.sampleId, sample);
        samples.push(sample);
      }
    }
  }
  return samples;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function pickVariants(suite: LoadedSuite, names: readonly string[] | undefined): VariantSpec[] {
  if (!names || names.length === 0) return suite.spec.variants;
  const unknown = names.filter((n) => !suite.spec.variants.some((v) => v.name === n));
  if (unknown.length > 0) {
    const known = suite.spec.variants.map((v) => v.name).join(', ');
    throw new ConfigError({
      file: suite.file,
      field: 'variants',
      detail: `no variant "${unknown[0]}" (variants: ${known})`,
    });
  }
  return suite.spec.variants.filter((v) => names.includes(v.name));
}

function pickTasks(suite: LoadedSuite, ids: readonly string[] | undefined): LoadedTask[] {
  if (!ids || ids.length === 0) return suite.tasks;
  const matches = (task: LoadedTask, id: string) => task.id === id || task.id.startsWith(`${id}/`);
  const unknown = ids.filter((id) => !suite.tasks.some((t) => matches(t, id)));
  if (unknown.length > 0) {
    throw new ConfigError({
      file: suite.file,
      field: 'tasks',
      detail: `no task "${unknown[0]}" in this suite`,
    });
  }
  return suite.tasks.filter((t) => ids.some((id) => matches(t, id)));
}
