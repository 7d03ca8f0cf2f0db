import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { displayPath } from '../../../src/config/index.js';
import { loadTask, readDataset } from '../../../src/tasks/index.js';
import { expectConfigError, fixtures, scratchDir } from './helpers.js';

describe('dataset expansion (CSV)', () => {
  it('expands one task per row, with ids from the id column and rendered fields', async () => {
    const tasks = await loadTask(path.join(fixtures, 'dataset/task.yaml'));
    expect(tasks.map((t) => t.id)).toEqual(['add/small', 'add/medium', 'add/large']);
    const large = tasks[2]!;
    expect(large.spec.instructions).toBe(
      'Compute 100 + 200 with python3 and write the result to answer.txt.\n',
    );
    expect(large.spec.description).toBe('Add 100 and 200');
    expect(large.spec.setup).toEqual(['echo 100 > a.txt']);
    expect(large.spec.scorer).toMatchObject({ type: 'command', command: 'test "$(cat answer.txt)" = "300"' });
    expect(large.datasetRow).toEqual({
      file: path.join(fixtures, 'dataset/rows.csv'),
      line: 4,
      values: { name: 'large', a: '100', b: '200', sum: '300' },
    });
  });

  it('renders inline files but copies `from` files verbatim, and never copies the dataset', async () => {
    const [small] = await loadTask(path.join(fixtures, 'dataset/task.yaml'));
    const files = Object.fromEntries(small!.files.map((f) => [f.path, f.content.toString()]));
    expect(files).toEqual({ 'input.txt': '1 2', 'helper.py': 'print("helper")\n' });
  });

  it('renders the sim script and keeps runtime placeholders', async () => {
    const [, medium] = await loadTask(path.join(fixtures, 'dataset/task.yaml'));
    const sim = medium!.spec.sim!;
    expect(sim.final).toBe('The answer is 30.');
    expect(sim.steps[0]).toMatchObject({
      shell: "python3 -c 'print(10 + 20)' > answer.txt",
      say: 'step {{i}} at {{now}}',
      repeat: 2,
    });
    expect(sim.steps[1]).toMatchObject({
      tool: 'write_file',
      args: { path: 'notes.txt', content: ['medium', 7] },
    });
  });

  it('reports a row with the wrong number of columns with file and line', async () => {
    const error = await expectConfigError(loadTask(path.join(fixtures, 'dataset-bad-row/task.yaml')));
    const csv = path.join(fixtures, 'dataset-bad-row/rows.csv');
    expect(error.file).toBe(csv);
    expect(error.line).toBe(3);
    expect(error.message).toBe(`${displayPath(csv)}:3: expected 2 columns (word, extra), got 3`);
  });

  it('names the missing column of a short row', async () => {
    const { dir, cleanup } = await scratchDir({ 'rows.csv': 'a,b,c\n1,2,3\n4,5\n' });
    try {
      const error = await expectConfigError(readDataset(path.join(dir, 'rows.csv')));
      expect(error.line).toBe(3);
      expect(error.column).toBe('c');
      expect(error.message).toContain('rows.csv:3: column "c": expected 3 columns (a, b, c), got 2');
    } finally {
      await cleanup();
    }
  });

  it('reports CSV syntax errors with line and column', async () => {
    const { dir, cleanup } = await scratchDir({ 'rows.csv': 'a,b\n1,2\n3,"x"y\n' });
    try {
      const error = await expectConfigError(readDataset(path.join(dir, 'rows.csv')));
      expect(error.line).toBe(3);
      expect(error.column).toBe('b');
      expect(error.message).toMatch(/rows\.csv:3: column "b": Invalid Closing Quote/);
    } finally {
      await cleanup();
    }
  });

  it('rejects duplicate header names and empty datasets', async () => {
    const { dir, cleanup } = await scratchDir({ 'dup.csv': 'a,a\n1,2\n', 'empty.csv': 'a,b\n' });
    try {
      const dup = await expectConfigError(readDataset(path.join(dir, 'dup.csv')));
      expect(dup.message).toContain('dup.csv:1: column "a": duplicate column name');
      const empty = await expectConfigError(readDataset(path.join(dir, 'empty.csv')));
      expect(empty.detail).toBe('dataset has no rows');
    } finally {
      await cleanup();
    }
  });

  it('tracks the line of rows after a multi-line quoted field and blank lines', async () => {
    const { dir, cleanup } = await scratchDir({ 'rows.csv': 'a,b\n1,"multi\nline"\n\n5,6\n' });
    try {
      const dataset = await readDataset(path.join(dir, 'rows.csv'));
      expect(dataset.columns).toEqual(['a', 'b']);
      expect(dataset.rows).toEqual([
        { line: 3, values: { a: '1', b: 'multi\nline' } },
        { line: 5, values: { a: '5', b: '6' } },
      ]);
    } finally {
      await cleanup();
    }
  });

  it('rejects an unknown placeholder in the task, naming the task file, field and line', async () => {
    const file = path.join(fixtures, 'dataset-unknown-placeholder/task.yaml');
    const error = await expectConfigError(loadTask(file));
    expect(error.file).toBe(file);
    expect(error.field).toBe('scorer.expected');
    expect(error.line).toBe(7);
    expect(error.message).toContain('unknown placeholder {{wrod}}');
    expect(error.message).toContain('columns: word');
  });

  it('rejects an empty value for a column the task uses, naming file, line and column', async () => {
    const error = await expectConfigError(loadTask(path.join(fixtures, 'dataset-empty-value/task.yaml')));
    expect(error.file).toBe(path.join(fixtures, 'dataset-empty-value/rows.csv'));
    expect(error.line).toBe(3);
    expect(error.column).toBe('lang');
    expect(error.message).toContain('empty value, used by instructions');
  });

  it('rejects duplicate row ids', async () => {
    const error = await expectConfigError(loadTask(path.join(fixtures, 'dataset-dup-id/task.yaml')));
    expect(error.line).toBe(4);
    expect(error.column).toBe('key');
    expect(error.message).toContain('duplicate task id "dup/k1" (first on line 2)');
  });

  it('rejects an id column that is not in the dataset', async () => {
    const { dir, cleanup } = await scratchDir({
      'task.yaml':
        'id: t\ninstructions: "{{a}}"\ndataset: {file: rows.csv, id_column: nope}\nscorer: {type: match, expected: x}\n',
      'rows.csv': 'a\n1\n',
    });
    try {
      const error = await expectConfigError(loadTask(path.join(dir, 'task.yaml')));
      expect(error.field).toBe('dataset.id_column');
      expect(error.line).toBe(3);
    } finally {
      await cleanup();
    }
  });

  it('rejects row ids that are not safe in file names', async () => {
    const { dir, cleanup } = await scratchDir({
      'task.yaml':
        'id: t\ninstructions: "{{a}}"\ndataset: {file: rows.csv, id_column: a}\nscorer: {type: match, expected: x}\n',
      'rows.csv': 'a\nok\nnot/ok\n',
    });
    try {
      const error = await expectConfigError(loadTask(path.join(dir, 'task.yaml')));
      expect(error.line).toBe(3);
      expect(error.message).toContain('row id "not/ok"');
    } finally {
      await cleanup();
    }
  });
});

describe('dataset expansion (JSONL)', () => {
  it('uses a templated id, row-number ids otherwise, and stringifies numbers', async () => {
    const tasks = await loadTask(path.join(fixtures, 'dataset-jsonl/task.yaml'));
    expect(tasks.map((t) => t.id)).toEqual(['sum-1-2', 'sum-4-5']);
    expect(tasks.map((t) => t.spec.id)).toEqual(['sum-1-2', 'sum-4-5']);
    expect(tasks[1]!.spec.scorer).toMatchObject({ type: 'match', expected: '9' });
    expect(tasks[1]!.datasetRow?.line).toBe(3);
  });

  it('uses 1-based row numbers as ids without an id column', async () => {
    const { dir, cleanup } = await scratchDir({
      'task.yaml':
        'id: t\ninstructions: "say {{w}}"\ndataset: {file: rows.jsonl}\nscorer: {type: match, expected: "{{w}}"}\n',
      'rows.jsonl': '{"w": "a"}\n{"w": "b"}\n',
    });
    try {
      const tasks = await loadTask(path.join(dir, 'task.yaml'));
      expect(tasks.map((t) => [t.id, t.spec.instructions])).toEqual([
        ['t/1', 'say a'],
        ['t/2', 'say b'],
      ]);
    } finally {
      await cleanup();
    }
  });

  it('reports a row missing a key the task uses, and non-object lines', async () => {
    const { dir, cleanup } = await scratchDir({
      'task.yaml':
        'id: t\ninstructions: "say {{w}}"\ndataset: {file: rows.jsonl}\nscorer: {type: match, expected: x}\n',
      'rows.jsonl': '{"w": "a"}\n{"v": "b"}\n',
      'bad.jsonl': '{"w": "a"}\n[1, 2]\n',
      'nested.jsonl': '{"w": {"x": 1}}\n',
    });
    try {
      const missing = await expectConfigError(loadTask(path.join(dir, 'task.yaml')));
      expect(missing.message).toContain('rows.jsonl:2: column "w": missing value, used by instructions');
      const notObject = await expectConfigError(readDataset(path.join(dir, 'bad.jsonl')));
      expect(notObject.line).toBe(2);
      const nested = await expectConfigError(readDataset(path.join(dir, 'nested.jsonl')));
      expect(nested.column).toBe('w');
    } finally {
      await cleanup();
    }
  });

  it('renders rows whose id renders to something unsafe as an error', async () => {
    const { dir, cleanup } = await scratchDir({
      'task.yaml':
        'id: "t-{{w}}"\ninstructions: "{{w}}"\ndataset: {file: rows.jsonl}\nscorer: {type: match, expected: x}\n',
      'rows.jsonl': '{"w": "two words"}\n',
    });
    try {
      const error = await expectConfigError(loadTask(path.join(dir, 'task.yaml')));
      expect(error.message).toContain('rows.jsonl:1: rendered task id "t-two words"');
    } finally {
      await cleanup();
    }
  });
});

describe('tasks without a dataset', () => {
  it('leave placeholders as written but refuse them in the id', async () => {
    const { dir, cleanup } = await scratchDir({
      'plain/task.yaml':
        'id: plain\ninstructions: "Render {{ name }} in Jinja"\nscorer: {type: match, expected: x}\n',
      'templated/task.yaml': 'id: "x-{{a}}"\ninstructions: hi\nscorer: {type: match, expected: x}\n',
    });
    try {
      const [plain] = await loadTask(path.join(dir, 'plain'));
      expect(plain!.spec.instructions).toBe('Render {{ name }} in Jinja');
      expect(plain!.datasetRow).toBeUndefined();
      const error = await expectConfigError(loadTask(path.join(dir, 'templated/task.yaml')));
      expect(error.field).toBe('id');
      expect(error.message).toContain('placeholders in the id need a dataset');
    } finally {
      await cleanup();
    }
  });
});
