import { stat } from 'node:fs/promises';
import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { ConfigError, displayPath, readYamlDocument, SuiteSchema, } from '../config/index.js';
import { loadTask } from './load-task.js';
const TASK_FILE_NAMES = new Set(['task.yaml', 'task.yml']);
/**
 * Load a suite.yaml and every task it names. Each `tasks` entry, relative to the suite file, is a
 * folder holding a task.yaml, a task file, or a glob; a glob keeps the folders that hold a
 * task.yaml and the files named task.yaml. Entries that match nothing and task ids used twice are
 * ConfigErrors. Tasks keep the order of the entries (sorted within a glob); a file named twice is
 * loaded once.
 */
export async function loadSuite(file) {
    const suiteFile = path.resolve(file);
    const dir = path.dirname(suiteFile);
    const doc = await readYamlDocument(suiteFile, SuiteSchema);
    const taskFiles = [];
    for (const [index, entry] of doc.value.tasks.entries()) {
        for (const taskFile of await resolveEntry(doc, index, entry, dir)) {
            if (!taskFiles.includes(taskFile))
                taskFiles.push(taskFile);
        }
    }
    const tasks = [];
    const fileOfId = new Map();
    for (const taskFile of taskFiles) {
        for (const task of await loadTask(taskFile, doc.value)) {
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
    return { file: suiteFile, dir, spec: doc.value, tasks };
}
async function resolveEntry(doc, index, entry, dir) {
    const fail = (detail) => {
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
        if (!info)
            return fail(`no such file or folder "${entry}"`);
        if (info.isFile())
            return [target];
        const inside = await taskFileIn(target);
        return inside ? [inside] : fail(`folder "${entry}" holds no task.yaml`);
    }
    const matches = await glob(entry, { cwd: dir, absolute: true, onlyFiles: false, expandDirectories: false });
    const found = [];
    for (const match of matches.map((m) => m.replace(/[\\/]+$/, '')).sort()) {
        const info = await stat(match).catch(() => undefined);
        if (info?.isDirectory()) {
            const inside = await taskFileIn(match);
            if (inside)
                found.push(inside);
        }
        else if (info?.isFile() && TASK_FILE_NAMES.has(path.basename(match))) {
            found.push(path.resolve(match));
        }
    }
    return found.length > 0 ? found : fail(`pattern "${entry}" matched no task`);
}
async function taskFileIn(folder) {
    for (const name of TASK_FILE_NAMES) {
        const candidate = path.join(folder, name);
        if ((await stat(candidate).catch(() => undefined))?.isFile())
            return candidate;
    }
    return undefined;
}
//# sourceMappingURL=load-suite.js.map