import { stat } from 'node:fs/promises';
import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import {
  ConfigError,
  displayPath,
  readYamlDocument,
  SuiteSchema,
  type SuiteSpec,
  type YamlDocument,
} from '../config/index.js';
import { loadTask } from './load-task.js';
import { checkAgentTaskArguments } from './os-strings.js';
import type { LoadedSuite, LoadedTask } from './types.js';

const TASK_FILE_NAMES = new Set(['task.yaml', 'task.yml']);

/**
 * Load a suite.yaml and every task it names. Each `tasks` entry, relative to the suite file, is a
 * folder holding a task.yaml, a task file, or a glob; a glob keeps the folders that hold a
 * task.yaml and the files named task.yaml. Entries that match nothing and task ids used twice are
 * ConfigErrors. Tasks keep the order of the entries (sorted within a glob); a file named twice is
 * loaded once.
 */
export async function loadSuite(file: string): Promise<LoadedSuite> {
  const suiteFile = path.resolve(file);
  const dir = path.dirname(suiteFile);
  const doc = await readYamlDocument(suiteFile, SuiteSchema);

  const taskFiles: string[] = [];
  for (const [index, entry] of doc.value.tasks.entries()) {
    for (const taskFile of await resolveEntry(doc, index, entry, dir)) {
      if (!taskFiles.includes(taskFile)) taskFiles.push(taskFile);
    }
  }

  const tasks: LoadedTask[] = [];
  const fileOfId = new Map<string, string>();
  for (const taskFile of taskFiles) {
    for (const task of await loadTask(taskFile, doc.value, dir)) {
      const other = fileOfId.get(task.id);
      if (other !== undefined) {
        throw new ConfigError({
          file: task.datasetRow?.file ?? task.file,
          ...(task.datasetRow ? { line: task.datasetRow.line } : { field: 'id' }),
          detail: `duplicate task id "${task.id}" (also in ${displayPath(other)})`,
        });
      }
      fileOfId.set(task.id, task.file);
      tasks.push(task);
    }
  }
  checkMcpServerNames(doc.value, tasks);
  checkAgentTaskArguments(doc.value, tasks);
  return { file: suiteFile, dir, spec: doc.value, tasks };
}

/** A task's MCP servers and a variant's share one namespace (`mcp__<server>__<tool>`). */
function checkMcpServerNames(suite: SuiteSpec, tasks: readonly LoadedTask[]): void {
  for (const task of tasks) {
    const own = task.spec.mcp_servers.map((s) => s.name);
    const twice = own.find((name, i) => own.indexOf(name) !== i);
    const shared = suite.variants.flatMap((v) =>
      (v.mcp?.servers ?? [])
        .filter((s) => own.includes(s.name))
        .map((s) => ({ name: s.name, variant: v.name })),
    )[0];
    const detail =
      twice !== undefined
        ? `two MCP servers named "${twice}"`
        : shared
          ? `two MCP servers named "${shared.name}" (also in variant "${shared.variant}")`
          : null;
    if (detail) throw new ConfigError({ file: task.file, field: 'mcp_servers', detail });
  }
}

async function resolveEntry(
  doc: YamlDocument<SuiteSpec>,
  index: number,
  entry: string,
  dir: string,
): Promise<string[]> {
  const fail = (detail: string): never => {
    const line = doc.lineOf(['tasks', index]);
    throw new ConfigError({
      file: doc.file,
      field: `tasks[${index}]`,
      detail,
      ...(line !== undefined ? { line } : {}),
    });
  };

  if (!isDynamicPattern(entry)) {
    const target = path.resolve(dir, entry);
    const info = await stat(target).catch(() => undefined);
    if (!info) return fail(`no such file or folder "${entry}"`);
    if (info.isFile()) return [target];
    const inside = await taskFileIn(target);
    return inside ? [inside] : fail(`folder "${entry}" holds no task.yaml`);
  }

  const matches = await glob(entry, { cwd: dir, absolute: true, onlyFiles: false, expandDirectories: false });
  const found: string[] = [];
  for (const match of matches.map((m) => m.replace(/[\\/]+$/, '')).sort()) {
    const info = await stat(match).catch(() => undefined);
    if (info?.isDirectory()) {
      const inside = await taskFileIn(match);
      if (inside) found.push(inside);
    } else if (info?.isFile() && TASK_FILE_NAMES.has(path.basename(match))) {
      found.push(path.resolve(match));
    }
  }
  return found.length > 0 ? found : fail(`pattern "${entry}" matched no task`);
}

async function taskFileIn(folder: string): Promise<string | undefined> {
  for (const name of TASK_FILE_NAMES) {
    const candidate = path.join(folder, name);
    if ((await stat(candidate).catch(() => undefined))?.isFile()) return candidate;
  }
  return undefined;
}
