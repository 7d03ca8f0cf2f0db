import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_FILE_KINDS, configJsonSchemaText } from '../config/index.js';

/** The starter suite shipped with turnbench (`templates/starter` at the package root). */
export function starterTemplateDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'templates', 'starter');
    if (existsSync(join(candidate, 'suite.yaml')) && existsSync(join(dir, 'package.json'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('templates/starter not found at the turnbench package root');
}

export class InitError extends Error {
  override name = 'InitError';
}

export interface InitResult {
  dir: string;
  suite: string;
  files: string[];
}

async function listFiles(root: string, under = ''): Promise<string[]> {
  const entries = await readdir(join(root, under), { withFileTypes: true });
  const files: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = under ? `${under}/${e.name}` : e.name;
    if (e.isDirectory()) files.push(...(await listFiles(root, rel)));
    else files.push(rel);
  }
  return files;
}

/**
 * Writes the starter suite into `dir`: the template's files, plus the JSON Schemas of this
 * turnbench version (the YAML files name them for editor checking and completion). A folder
 * that exists and is not empty is refused unless `force` (then same-named files are replaced).
 */
export async function initStarter(dir: string, options: { force: boolean }): Promise<InitResult> {
  const target = resolve(dir);
  if (existsSync(target)) {
    const entries = await readdir(target).catch(() => {
      throw new InitError(`${target} exists and is not a folder`);
    });
    if (entries.length > 0 && !options.force) {
      throw new InitError(`${target} is not empty; pass --force to write the starter files into it anyway`);
    }
  }
  const template = starterTemplateDir();
  await mkdir(target, { recursive: true });
  await cp(template, target, { recursive: true, force: true });
  await mkdir(join(target, 'schemas'), { recursive: true });
  for (const kind of CONFIG_FILE_KINDS) {
    await writeFile(join(target, 'schemas', `${kind}.schema.json`), configJsonSchemaText(kind));
  }
  const files = [...(await listFiles(template)), ...CONFIG_FILE_KINDS.map((k) => `schemas/${k}.schema.json`)];
  return { dir: target, suite: join(target, 'suite.yaml'), files };
}
