import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/config/index.js';
import { loadSuite, loadTask, resolveLimits } from '../../../src/tasks/index.js';
import { expectConfigError, fixtures, scratchDir } from './helpers.js';

const validSuite = path.join(fixtures, 'valid/suite.yaml');

describe('loadSuite', () => {
  it('resolves globs and folders relative to the suite, once per task, skipping folders without task.yaml', async () => {
    const suite = await loadSuite(validSuite);
    expect(suite.file).toBe(validSuite);
    expect(suite.dir).toBe(path.dirname(validSuite));
    expect(suite.spec.name).toBe('valid');
    expect(suite.tasks.map((t) => t.id)).toEqual(['alpha', 'beta']);
    expect(suite.tasks.map((t) => t.file)).toEqual([
      path.join(fixtures, 'valid/tasks/alpha/task.yaml'),
      path.join(fixtures, 'valid/tasks/beta/task.yaml'),
    ]);
    expect(suite.tasks[0]!.dir).toBe(path.join(fixtures, 'valid/tasks/alpha'));
  });

  it('merges limits: defaults <- suite <- task', async () => {
    const suite = await loadSuite(validSuite);
    const [alpha, beta] = suite.tasks;
    expect(alpha!.limits).toEqual({ ...DEFAULT_LIMITS, max_turns: 5, wall_timeout_s: 120 });
    expect(beta!.limits).toEqual({
      ...DEFAULT_LIMITS,
      max_turns: 20,
      wall_timeout_s: 120,
      max_total_tokens: 1000,
    });
  });

  it("takes the task's Dockerfile, else the suite's image, else the base image", async () => {
    const suite = await loadSuite(validSuite);
    const alphaDir = path.join(fixtures, 'valid/tasks/alpha');
    expect(suite.tasks[0]!.image).toEqual({
      kind: 'dockerfile',
      dockerfile: path.join(alphaDir, 'Dockerfile'),
      contextDir: alphaDir,
    });
    expect(suite.tasks[1]!.image).toEqual({ kind: 'named', name: 'turnbench-custom:1' });
    const [standalone] = await loadTask(path.join(fixtures, 'valid/tasks/beta'));
    expect(standalone!.image).toEqual({ kind: 'base' });
    expect(standalone!.limits).toEqual({ ...DEFAULT_LIMITS, max_total_tokens: 1000 });
  });

  it('rejects task ids used twice across task files', async () => {
    const error = await expectConfigError(loadSuite(path.join(fixtures, 'duplicate-ids/suite.yaml')));
    expect(error.file).toBe(path.join(fixtures, 'duplicate-ids/two/task.yaml'));
    expect(error.message).toContain('duplicate task id "same"');
    expect(error.message).toContain('duplicate-ids/one/task.yaml');
  });

  it('rejects a pattern that matches no task, naming the pattern', async () => {
    const file = path.join(fixtures, 'no-match/suite.yaml');
    const error = await expectConfigError(loadSuite(file));
    expect(error.file).toBe(file);
    expect(error.field).toBe('tasks[0]');
    expect(error.line).toBe(3);
    expect(error.message).toContain('pattern "missing/*" matched no task');
  });

  it('rejects a missing folder and a folder without task.yaml', async () => {
    const { dir, cleanup } = await scratchDir({
      'a.yaml': 'name: s\ntasks: [nope]\nvariants: [{name: v, instructions: x}]\n',
      'b.yaml': 'name: s\ntasks: [empty]\nvariants: [{name: v, instructions: x}]\n',
      'empty/readme.txt': 'no task here',
    });
    try {
      const missing = await expectConfigError(loadSuite(path.join(dir, 'a.yaml')));
      expect(missing.message).toContain('tasks[0]: no such file or folder "nope"');
      const empty = await expectConfigError(loadSuite(path.join(dir, 'b.yaml')));
      expect(empty.message).toContain('tasks[0]: folder "empty" holds no task.yaml');
    } finally {
      await cleanup();
    }
  });

  it('accepts task file paths and `**/task.yaml` globs, and reports errors inside tasks with their own file', async () => {
    const task = (id: string) => `id: ${id}\ninstructions: x\nscorer: {type: match, expected: x}\n`;
    const { dir, cleanup } = await scratchDir({
      'suite.yaml':
        'name: s\ntasks: ["deep/**/task.yaml", other.yaml]\nvariants: [{name: v, instructions: x}]\n',
      'deep/x/y/task.yaml': task('y'),
      'deep/z/task.yaml': task('z'),
      'other.yaml': task('other'),
      'bad.yaml': 'name: s\ntasks: [broken]\nvariants: [{name: v, instructions: x}]\n',
      'broken/task.yaml':
        'id: broken\ninstructions: x\nscorer: {type: match, expected: x}\nlimits: {max_turns: 0}\n',
    });
    try {
      const suite = await loadSuite(path.join(dir, 'suite.yaml'));
      expect(suite.tasks.map((t) => t.id)).toEqual(['y', 'z', 'other']);
      const error = await expectConfigError(loadSuite(path.join(dir, 'bad.yaml')));
      expect(error.file).toBe(path.join(dir, 'broken/task.yaml'));
      expect(error.field).toBe('limits.max_turns');
    } finally {
      await cleanup();
    }
  });

  it('rejects a Dockerfile image that does not exist', async () => {
    const { dir, cleanup } = await scratchDir({
      'task.yaml':
        'id: t\ninstructions: x\nimage: {dockerfile: Missing.Dockerfile}\nscorer: {type: match, expected: x}\n',
    });
    try {
      const error = await expectConfigError(loadTask(path.join(dir, 'task.yaml')));
      expect(error.field).toBe('image.dockerfile');
      expect(error.line).toBe(3);
    } finally {
      await cleanup();
    }
  });
});

describe('resolveLimits', () => {
  it('lets later layers override earlier ones field by field', () => {
    expect(resolveLimits({ max_turns: 10, command_timeout_s: 5 }, { max_turns: 3 }, undefined)).toEqual({
      ...DEFAULT_LIMITS,
      max_turns: 3,
      command_timeout_s: 5,
    });
    expect(resolveLimits()).toEqual(DEFAULT_LIMITS);
  });
});

describe('MCP server names across a task and the variants', () => {
  it('refuses a task server named like a variant server, naming the task file', async () => {
    const { dir, cleanup } = await scratchDir({
      'suite.yaml': [
        'name: s',
        'tasks: [t]',
        'variants:',
        '  - name: v',
        '    instructions: x',
        '    mcp: { servers: [{ name: notes, builtin: notes }] }',
      ].join('\n'),
      't/task.yaml': [
        'id: t',
        'instructions: x',
        'scorer: { type: match, expected: x }',
        'mcp_servers: [{ name: notes, builtin: notes }]',
      ].join('\n'),
    });
    try {
      const error = await expectConfigError(loadSuite(path.join(dir, 'suite.yaml')));
      expect(error.message).toMatch(
        /t\/task\.yaml.*mcp_servers.*two MCP servers named "notes" \(also in variant "v"\)/,
      );
    } finally {
      await cleanup();
    }
  });
});
