import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  displayPath,
  formatFieldPath,
  readYamlFile,
  SuiteSchema,
  TaskSchema,
} from '../../../src/config/index.js';

const fixtures = path.resolve('test/fixtures/tasks');

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  const configErr = error as ConfigError;
  expect(configErr.message).not.toContain('\n');
  return configErr;
}

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'turnbench-load-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function scratchFile(name: string, text: string): Promise<string> {
  const file = path.join(scratch, name);
  await writeFile(file, text);
  return file;
}

describe('readYamlFile', () => {
  it('parses and validates a task, applying schema defaults', async () => {
    const spec = await readYamlFile(path.join(fixtures, 'valid/tasks/beta/task.yaml'), TaskSchema);
    expect(spec.id).toBe('beta');
    expect(spec.limits).toEqual({ max_total_tokens: 1000 });
    expect(spec.scorer).toEqual({ type: 'match', mode: 'contains', expected: 'hello', ignore_case: false });
    expect(spec.files).toEqual([]);
  });

  it('names the file, line and field of a wrong type', async () => {
    const file = path.join(fixtures, 'bad-type/task.yaml');
    const error = await configError(readYamlFile(file, TaskSchema));
    expect(error.file).toBe(file);
    expect(error.field).toBe('limits.max_turns');
    expect(error.line).toBe(4);
    expect(error.message).toBe(`${displayPath(file)}:4: limits.max_turns: expected number, received string`);
  });

  it('names an unknown key with its full path', async () => {
    const file = path.join(fixtures, 'unknown-key/task.yaml');
    const error = await configError(readYamlFile(file, TaskSchema));
    expect(error.field).toBe('limits.max_turn');
    expect(error.line).toBe(5);
    expect(error.message).toMatch(/unknown-key\/task\.yaml:5: limits\.max_turn: unknown key$/);
  });

  it('reports YAML syntax errors as file:line:col', async () => {
    const file = path.join(fixtures, 'yaml-syntax/task.yaml');
    const error = await configError(readYamlFile(file, TaskSchema));
    expect(error.field).toBeNull();
    expect(error.line).toBeGreaterThanOrEqual(5);
    expect(error.col).toBeGreaterThanOrEqual(1);
    expect(error.message).toMatch(new RegExp(`^${displayPath(file)}:${error.line}:${error.col}: \\S`));
  });

  it('reports a duplicate YAML key as a syntax error with its line', async () => {
    const file = await scratchFile('dup-key.yaml', 'id: a\ninstructions: x\nid: b\n');
    const error = await configError(readYamlFile(file, TaskSchema));
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/dup-key\.yaml:3:1: .*unique/i);
  });

  it('reports a missing required field', async () => {
    const file = await scratchFile(
      'no-id.yaml',
      'instructions: x\nscorer:\n  type: command\n  command: "true"\n',
    );
    const error = await configError(readYamlFile(file, TaskSchema));
    expect(error.field).toBe('id');
    expect(error.message).toContain('id: required field is missing (expected string)');
  });

  it('explains the closest union branch with array indexes in the path', async () => {
    const file = await scratchFile(
      'union.yaml',
      'id: a\ninstructions: x\nscorer: {type: command, command: "true"}\nfiles:\n  - from: ok\n  - path: notes.txt\n',
    );
    const error = await configError(readYamlFile(file, TaskSchema));
    expect(error.field).toBe('files[1].content');
    expect(error.line).toBe(6);
    expect(error.message).toContain('files[1].content: required field is missing (expected string)');
  });

  it('says which types a union accepts when none fits', async () => {
    const file = await scratchFile(
      'union-type.yaml',
      'id: a\ninstructions: x\nscorer: {type: command, command: "true"}\nfiles: [42]\n',
    );
    const error = await configError(readYamlFile(file, TaskSchema));
    expect(error.field).toBe('files[0]');
    expect(error.detail).toBe('expected object');
  });

  it('reports a bad discriminator value', async () => {
    const file = await scratchFile('scorer.yaml', 'id: a\ninstructions: x\nscorer:\n  type: magic\n');
    const error = await configError(readYamlFile(file, TaskSchema));
    expect(error.field).toBe('scorer.type');
    expect(error.line).toBe(4);
  });

  it('reports refinements of the suite schema (duplicate variant names)', async () => {
    const file = await scratchFile(
      'suite.yaml',
      'name: s\ntasks: [a]\nvariants:\n  - name: v\n    instructions: x\n  - name: v\n    instructions: y\n',
    );
    const error = await configError(readYamlFile(file, SuiteSchema));
    expect(error.field).toBe('variants[1].name');
    expect(error.line).toBe(6);
    expect(error.detail).toBe('duplicate variant name "v"');
  });

  it('rejects an empty file and a missing file', async () => {
    const empty = await scratchFile('empty.yaml', '# nothing\n');
    expect((await configError(readYamlFile(empty, TaskSchema))).detail).toBe('file is empty');
    const missing = path.join(scratch, 'missing.yaml');
    const error = await configError(readYamlFile(missing, TaskSchema));
    expect(error.detail).toContain('ENOENT');
    expect(error.field).toBeNull();
  });

  it('rejects a top-level value that is not a mapping', async () => {
    const file = await scratchFile('list.yaml', '- a\n- b\n');
    const error = await configError(readYamlFile(file, TaskSchema));
    expect(error.field).toBeNull();
    expect(error.detail).toBe('expected object, received array');
  });
});

describe('formatFieldPath', () => {
  it('joins keys with dots and indexes with brackets', () => {
    expect(formatFieldPath(['sim', 'steps', 2, 'parallel', 0, 'tool'])).toBe('sim.steps[2].parallel[0].tool');
    expect(formatFieldPath([0, 'a'])).toBe('[0].a');
    expect(formatFieldPath([])).toBe('');
  });
});

describe('ConfigError', () => {
  it('keeps the message on one line and shows the dataset column', () => {
    const error = new ConfigError({
      file: path.resolve('data/rows.csv'),
      line: 7,
      column: 'answer',
      detail: 'bad\nvalue',
    });
    expect(error.message).toBe('data/rows.csv:7: column "answer": bad value');
    expect(error.name).toBe('ConfigError');
    expect(error.field).toBeNull();
  });

  it('shows files outside the working directory with their absolute path', () => {
    const error = new ConfigError({ file: '/elsewhere/task.yaml', field: 'id', detail: 'x' });
    expect(error.message).toBe('/elsewhere/task.yaml: id: x');
  });
});
