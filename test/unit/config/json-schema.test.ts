import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020Module, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { globSync } from 'tinyglobby';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  CONFIG_FILE_KINDS,
  type ConfigFileKind,
  configJsonSchemaText,
  SuiteSchema,
  TaskSchema,
} from '../../../src/config/index.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
// ajv and ajv-formats are CommonJS: their default export sits on `.default` under NodeNext.
const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;

function validatorFor(kind: ConfigFileKind): ValidateFunction {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(REPO, 'schemas', `${kind}.schema.json`), 'utf8')));
}
const validators = { suite: validatorFor('suite'), task: validatorFor('task') };

/** YAML the way the loader reads it (merge keys on). */
const readYaml = (file: string): unknown => parseYaml(readFileSync(file, 'utf8'), { merge: true });
const kindOf = (file: string): ConfigFileKind => (file.endsWith('suite.yaml') ? 'suite' : 'task');
const describeErrors = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');

describe('JSON Schemas of suite.yaml and task.yaml (generated from the zod schemas)', () => {
  it.each(CONFIG_FILE_KINDS)('schemas/%s.schema.json is what `turnbench schema` generates', (kind) => {
    const committed = readFileSync(join(REPO, 'schemas', `${kind}.schema.json`), 'utf8');
    expect(
      committed,
      `schemas/${kind}.schema.json is stale: run \`node dist/src/cli/main.js schema ${kind} > schemas/${kind}.schema.json\``,
    ).toBe(configJsonSchemaText(kind));
  });

  const examples = globSync(['tasks/**/suite.yaml', 'tasks/**/task.yaml'], {
    cwd: REPO,
    absolute: true,
  }).sort();

  it('finds the examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(10);
  });

  it.each(examples.map((f) => [relative(REPO, f), f]))('%s validates against its JSON Schema', (_, file) => {
    const validate = validators[kindOf(file)];
    const ok = validate(readYaml(file));
    expect(ok, describeErrors(validate.errors)).toBe(true);
  });

  it.each(examples.map((f) => [relative(REPO, f), f]))(
    '%s names its schema on the first line, for yaml-language-server',
    (_, file) => {
      const first = readFileSync(file, 'utf8').split('\n')[0] ?? '';
      const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
      expect(match, first).not.toBeNull();
      expect(resolve(dirname(file), match?.[1] ?? '')).toBe(
        join(REPO, 'schemas', `${kindOf(file)}.schema.json`),
      );
    },
  );

  // The starter suite of `turnbench init` (its schema lines point into the folder init creates: see init.test.ts).
  const templates = globSync(['templates/**/suite.yaml', 'templates/**/task.yaml'], {
    cwd: REPO,
    absolute: true,
  }).sort();
  it.each(templates.map((f) => [relative(REPO, f), f]))('%s validates against its JSON Schema', (_, file) => {
    const validate = validators[kindOf(file)];
    expect(validate(readYaml(file)), describeErrors(validate.errors)).toBe(true);
  });

  // Fixtures are partly broken on purpose: whatever the zod loader accepts, the JSON Schema must accept.
  const fixtures = globSync(['test/fixtures/**/suite.yaml', 'test/fixtures/**/task.yaml'], {
    cwd: REPO,
    absolute: true,
  }).sort();
  const zodValid = fixtures.filter((file) => {
    let raw: unknown;
    try {
      raw = readYaml(file);
    } catch {
      return false;
    }
    return (kindOf(file) === 'suite' ? SuiteSchema : TaskSchema).safeParse(raw).success;
  });

  it('finds valid fixtures among the deliberately broken ones', () => {
    expect(zodValid.length).toBeGreaterThanOrEqual(5);
    expect(zodValid.length).toBeLessThan(fixtures.length);
  });

  it.each(zodValid.map((f) => [relative(REPO, f), f]))(
    '%s (valid for the loader) is valid for the schema',
    (_, file) => {
      const validate = validators[kindOf(file)];
      expect(validate(readYaml(file)), describeErrors(validate.errors)).toBe(true);
    },
  );

  it('rejects a broken suite and names the field', () => {
    const suite = readYaml(join(REPO, 'tasks/demo/suite.yaml')) as {
      variants: Array<Record<string, unknown>>;
    };
    const first = suite.variants[0];
    if (!first) throw new Error('demo suite has no variant');
    first.layout = { tool_order: 'random' };
    first.temprature = 0.2;
    expect(validators.suite(suite)).toBe(false);
    const errors = validators.suite.errors ?? [];
    expect(errors).toContainEqual(
      expect.objectContaining({ instancePath: '/variants/0/layout/tool_order', keyword: 'enum' }),
    );
    expect(errors).toContainEqual(
      expect.objectContaining({
        instancePath: '/variants/0',
        keyword: 'additionalProperties',
        params: { additionalProperty: 'temprature' },
      }),
    );
  });

  it('rejects a broken task and names the field', () => {
    const task = readYaml(join(REPO, 'tasks/demo/fix-script/task.yaml')) as Record<string, unknown>;
    task.limits = { max_turns: 0 };
    expect(validators.task(task)).toBe(false);
    expect(validators.task.errors).toContainEqual(
      expect.objectContaining({ instancePath: '/limits/max_turns', keyword: 'exclusiveMinimum' }),
    );
  });
});
