import { stat } from 'node:fs/promises';
import path from 'node:path';
import {
  ConfigError,
  displayPath,
  formatFieldPath,
  readYamlDocument,
  regexProblem,
  type SuiteSpec,
  scorersOf,
  TaskSchema,
  type TaskSpec,
  type YamlDocument,
} from '../config/index.js';
import { confinementProblem } from './confine.js';
import { type Dataset, type DatasetRow, describeColumns, readDataset } from './dataset.js';
import { type FilesContext, resolveTaskFiles } from './files.js';
import { resolveImage } from './image.js';
import { resolveLimits } from './limits.js';
import { checkRenderedRow } from './os-strings.js';
import { mapTemplatedStrings, templatedStrings } from './render-spec.js';
import { placeholdersIn, renderTemplate } from './template.js';
import type { LoadedTask, TaskWorkdirFile } from './types.js';

const ID_PART = /^[A-Za-z0-9._-]+$/;
const ID_RULE = 'use letters, digits, dot, dash and underscore';

/**
 * Load one task.yaml (or a folder holding one). Without a dataset this is one task; with one,
 * one task per row, its placeholders rendered (see render-spec.ts for which fields). A task
 * without a dataset is not rendered: `{{...}}` in its text stays as written.
 */
export async function loadTask(file: string, suite?: SuiteSpec, suiteDir?: string): Promise<LoadedTask[]> {
  const taskFile = await taskFileOf(path.resolve(file));
  const dir = path.dirname(taskFile);
  const doc = await readYamlDocument(taskFile, TaskSchema);
  const spec = doc.value;
  const at = (fieldPath: PropertyKey[], detail: string) => fieldError(doc, fieldPath, detail);

  const limits = resolveLimits(suite?.limits, spec.limits);
  const imageLine = doc.lineOf(['image']);
  const image = await resolveImage(spec.image, suite?.sandbox.image, {
    taskFile,
    taskDir: dir,
    ...(imageLine !== undefined ? { line: imageLine } : {}),
  });
  const base = { dir, file: taskFile, limits, image };

  if (!spec.dataset) {
    if (!ID_PART.test(spec.id)) throw at(['id'], `${ID_RULE} (placeholders in the id need a dataset)`);
    const files = await resolveTaskFiles(spec.files, {
      taskFile,
      taskDir: dir,
      lineOf: doc.lineOf,
      hidden: graderSources(spec, dir),
    });
    const graderFiles = await resolveGraderFiles(spec, { taskFile, taskDir: dir, lineOf: doc.lineOf });
    return [{ ...base, id: spec.id, spec, files, graderFiles }];
  }

  const datasetFile = path.resolve(dir, spec.dataset.file);
  // A dataset is the task's (or its suite's) own file: `/etc/passwd` is neither read nor echoed.
  const roots = suiteDir !== undefined && suiteDir !== dir ? [dir, suiteDir] : [dir];
  const folders = roots.length > 1 ? 'the task and suite folders' : 'the task folder';
  const outside = await confinementProblem(datasetFile, spec.dataset.file, roots, folders);
  if (outside) throw at(['dataset', 'file'], outside);
  const dataset = await readDataset(datasetFile);
  const idColumn = spec.dataset.id_column;
  if (idColumn !== undefined && !dataset.columns.includes(idColumn)) {
    throw at(
      ['dataset', 'id_column'],
      `no column "${idColumn}" in ${displayPath(datasetFile)} (${columnList(dataset)})`,
    );
  }
  checkPlaceholders(doc, dataset);
  const idTemplated = placeholdersIn(spec.id).length > 0;
  if (!idTemplated && !ID_PART.test(spec.id)) throw at(['id'], ID_RULE);

  const cache = new Map<string, TaskWorkdirFile[]>();
  const graderCache = new Map<string, TaskWorkdirFile[]>();
  const firstLineOfId = new Map<string, number>();
  const tasks: LoadedTask[] = [];
  for (const [index, row] of dataset.rows.entries()) {
    const rowError = (detail: string, column?: string) =>
      new ConfigError({
        file: datasetFile,
        line: row.line,
        ...(column !== undefined ? { column } : {}),
        detail,
      });
    const rendered = renderRow(doc, row, datasetFile);
    checkRenderedRow(spec, rendered, row, { task: taskFile, dataset: datasetFile });
    const several = Array.isArray(rendered.scorer);
    for (const [i, scorer] of scorersOf(rendered.scorer).entries()) {
      const badRegex =
        scorer.type === 'match' && scorer.mode === 'regex'
          ? regexProblem(scorer.expected, scorer.ignore_case ? 'i' : '')
          : null;
      const field = several ? `scorer[${i}].expected` : 'scorer.expected';
      if (badRegex) throw rowError(`${field} in ${displayPath(taskFile)}: ${badRegex}`);
    }
    const rowId = idColumn !== undefined ? (row.values[idColumn] ?? '') : String(index + 1);
    if (rowId === '') throw rowError('empty row id', idColumn);
    if (!ID_PART.test(rowId)) throw rowError(`row id "${rowId}": ${ID_RULE}`, idColumn);
    const id = idTemplated ? rendered.id : `${spec.id}/${rowId}`;
    if (idTemplated && !ID_PART.test(id)) throw rowError(`rendered task id "${id}": ${ID_RULE}`);
    const previous = firstLineOfId.get(id);
    if (previous !== undefined) {
      throw rowError(
        `duplicate task id "${id}" (first on line ${previous})`,
        idTemplated ? undefined : idColumn,
      );
    }
    firstLineOfId.set(id, row.line);
    const files = await resolveTaskFiles(rendered.files, {
      taskFile,
      taskDir: dir,
      lineOf: doc.lineOf,
      exclude: [datasetFile],
      hidden: graderSources(rendered, dir),
      cache,
    });
    const graderFiles = await resolveGraderFiles(rendered, {
      taskFile,
      taskDir: dir,
      lineOf: doc.lineOf,
      exclude: [datasetFile],
      cache: graderCache,
    });
    tasks.push({
      ...base,
      id,
      spec: rendered,
      files,
      graderFiles,
      datasetRow: { file: datasetFile, line: row.line, values: row.values },
    });
  }
  return tasks;
}

/** Where the command scorers' `from` files are: a folder walk of the task's files leaves them out. */
function graderSources(spec: TaskSpec, dir: string): string[] {
  return scorersOf(spec.scorer).flatMap((scorer) =>
    scorer.type === 'command'
      ? scorer.files.flatMap((f) => ('from' in f ? [path.resolve(dir, f.from)] : []))
      : [],
  );
}

/**
 * The command scorers' own files (`scorer.files`, or `scorer[i].files` in a list), resolved like
 * the task's `files`, in scorer order.
 */
async function resolveGraderFiles(spec: TaskSpec, ctx: FilesContext): Promise<TaskWorkdirFile[]> {
  const listed = Array.isArray(spec.scorer);
  const out: TaskWorkdirFile[] = [];
  for (const [index, scorer] of scorersOf(spec.scorer).entries()) {
    if (scorer.type !== 'command' || scorer.files.length === 0) continue;
    const field = listed ? ['scorer', index, 'files'] : ['scorer', 'files'];
    out.push(...(await resolveTaskFiles(scorer.files, { ...ctx, field })));
  }
  return out;
}

async function taskFileOf(file: string): Promise<string> {
  const info = await stat(file).catch(() => undefined);
  return info?.isDirectory() ? path.join(file, 'task.yaml') : file;
}

function fieldError(doc: YamlDocument<TaskSpec>, fieldPath: PropertyKey[], detail: string): ConfigError {
  const line = doc.lineOf(fieldPath);
  return new ConfigError({
    file: doc.file,
    field: formatFieldPath(fieldPath),
    detail,
    ...(line !== undefined ? { line } : {}),
  });
}

function columnList(dataset: Dataset): string {
  return `columns: ${describeColumns(dataset.columns)}`;
}

/** Every placeholder must name a dataset column (runtime ones excepted). */
function checkPlaceholders(doc: YamlDocument<TaskSpec>, dataset: Dataset): void {
  const columns = new Set(dataset.columns);
  for (const { path: fieldPath, text } of templatedStrings(doc.value)) {
    const unknown = placeholdersIn(text).find((name) => !columns.has(name));
    if (unknown !== undefined) {
      throw fieldError(
        doc,
        fieldPath,
        `unknown placeholder {{${unknown}}} (${displayPath(dataset.file)} has ${columnList(dataset)})`,
      );
    }
  }
}

function renderRow(doc: YamlDocument<TaskSpec>, row: DatasetRow, datasetFile: string): TaskSpec {
  return mapTemplatedStrings(doc.value, (text, fieldPath) => {
    const field = formatFieldPath(fieldPath);
    for (const name of placeholdersIn(text)) {
      const value = row.values[name];
      if (value === undefined || value === '') {
        throw new ConfigError({
          file: datasetFile,
          line: row.line,
          column: name,
          detail: `${value === undefined ? 'missing' : 'empty'} value, used by ${field} in ${displayPath(doc.file)}`,
        });
      }
    }
    const line = doc.lineOf(fieldPath);
    return renderTemplate(text, row.values, {
      file: doc.file,
      field,
      ...(line !== undefined ? { line } : {}),
    });
  });
}
