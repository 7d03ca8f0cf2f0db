import {
  ConfigError,
  configErrorFromZod,
  displayPath,
  formatFieldPath,
  isOsString,
  NUL_DETAIL,
  type SuiteSpec,
  TaskSchema,
  type TaskSpec,
} from '../config/index.js';
import type { DatasetRow } from './dataset.js';
import { templatedStrings } from './render-spec.js';
import { placeholdersIn } from './template.js';
import type { LoadedTask } from './types.js';

/**
 * The NUL-byte checks the schemas cannot make on their own (see config/os-string.ts): a dataset
 * value that a placeholder carries into a command, path or environment field, and a task's text
 * that a command agent receives as an argument.
 */

/**
 * A row whose values hold a NUL byte: its rendered spec is validated again, so a value that lands
 * in a field refusing NUL is reported at the row and column, naming the field of task.yaml.
 */
export function checkRenderedRow(
  template: TaskSpec,
  rendered: TaskSpec,
  row: DatasetRow,
  files: { task: string; dataset: string },
): void {
  if (Object.values(row.values).every(isOsString)) return;
  const parsed = TaskSchema.safeParse(rendered);
  if (parsed.success) return;
  const problem = configErrorFromZod(files.task, parsed.error);
  const source = templatedStrings(template).find((t) => formatFieldPath(t.path) === problem.field);
  const column = source
    ? placeholdersIn(source.text).find((name) => !isOsString(row.values[name] ?? ''))
    : undefined;
  throw new ConfigError({
    file: files.dataset,
    line: row.line,
    ...(column !== undefined ? { column } : {}),
    detail: `${problem.field ?? 'value'} in ${displayPath(files.task)}: ${problem.detail}`,
  });
}

/** A command agent given the task as an argument (`{{task}}`) gets the task's instructions in its argv. */
export function checkAgentTaskArguments(suite: SuiteSpec, tasks: readonly LoadedTask[]): void {
  const variant = suite.variants.find((v) => v.agent.type === 'command' && v.agent.task === 'argument');
  if (!variant) return;
  for (const task of tasks) {
    if (isOsString(task.spec.instructions)) continue;
    const where = task.datasetRow
      ? { file: task.datasetRow.file, line: task.datasetRow.line }
      : { file: task.file, field: 'instructions' };
    const field = task.datasetRow ? `instructions in ${displayPath(task.file)} ` : '';
    throw new ConfigError({
      ...where,
      detail: `${field}${NUL_DETAIL}, and variant "${variant.name}" passes the task as a command argument ({{task}}); use task: stdin there`,
    });
  }
}
