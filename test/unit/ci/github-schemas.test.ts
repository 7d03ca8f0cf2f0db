import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateAction, validateWorkflow } from '@action-validator/core';
import AjvModule, { type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { globSync } from 'tinyglobby';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { schemaStoreSchema } from './schemastore.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
// ajv and ajv-formats are CommonJS: their default export sits on `.default` under NodeNext.
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

function compile(name: 'github-workflow' | 'github-action') {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schemaStoreSchema(name));
}
const validators = { workflow: compile('github-workflow'), action: compile('github-action') };
const describeErrors = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`).join('\n');

const workflows = globSync(['.github/workflows/*.yml', '.github/workflows/*.yaml'], {
  cwd: REPO,
  absolute: true,
}).sort();
const text = (file: string) => readFileSync(file, 'utf8');

describe("GitHub's workflow and action formats (SchemaStore schemas, checked with ajv)", () => {
  it('reads the schemas SchemaStore publishes', () => {
    expect(schemaStoreSchema('github-workflow').$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schemaStoreSchema('github-action').$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  it('finds the nightly and the pull-request workflows', () => {
    expect(workflows.map((f) => relative(REPO, f))).toEqual(
      expect.arrayContaining(['.github/workflows/nightly.yml', '.github/workflows/pull-request.yml']),
    );
  });

  it('action.yml is a valid composite action', () => {
    const action = parseYaml(text(join(REPO, 'action.yml'))) as { runs: { using: string } };
    expect(action.runs.using).toBe('composite');
    expect(validators.action(action), describeErrors(validators.action.errors)).toBe(true);
    // and by action-validator's own engine (the same schema, plus its checks)
    expect(validateAction(text(join(REPO, 'action.yml'))).errors).toEqual([]);
  });

  it.each(workflows.map((f) => [relative(REPO, f), f]))('%s is a valid workflow', (_, file) => {
    expect(validators.workflow(parseYaml(text(file))), describeErrors(validators.workflow.errors)).toBe(true);
    expect(validateWorkflow(text(file)).errors).toEqual([]);
  });

  it('the check can fail: a job without runs-on, a composite run step without a shell', () => {
    const workflow = parseYaml(text(join(REPO, '.github/workflows/nightly.yml'))) as {
      jobs: Record<string, Record<string, unknown>>;
    };
    const job = Object.values(workflow.jobs)[0];
    if (!job) throw new Error('nightly has no job');
    delete job['runs-on'];
    expect(validators.workflow(workflow)).toBe(false);

    const action = parseYaml(text(join(REPO, 'action.yml'))) as {
      runs: { steps: Record<string, unknown>[] };
    };
    const runStep = action.runs.steps.findIndex((s) => 'run' in s);
    delete action.runs.steps[runStep]?.shell;
    expect(validators.action(action)).toBe(false);
    expect(validators.action.errors?.some((e) => e.instancePath.startsWith(`/runs/steps/${runStep}`))).toBe(
      true,
    );
  });
});
