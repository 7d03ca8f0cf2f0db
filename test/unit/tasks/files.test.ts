import { chmod, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTask } from '../../../src/tasks/index.js';
import { expectConfigError, fixtures, scratchDir } from './helpers.js';

const taskWith = (files: string) =>
  `id: t\ninstructions: x\nscorer: {type: match, expected: x}\nfiles:\n${files}`;

describe('task files', () => {
  it('walks folders, keeps file modes, and places files under `to`', async () => {
    const [alpha] = await loadTask(path.join(fixtures, 'valid/tasks/alpha/task.yaml'));
    const files = alpha!.files.map((f) => ({ path: f.path, text: f.content.toString() }));
    expect(files).toEqual([
      { path: 'src/a.txt', text: '1\n' },
      { path: 'src/sub/b.txt', text: '2\n3\n' },
      { path: 'run.sh', text: '#!/bin/sh\ncat src/a.txt\n' },
      { path: 'notes/readme.txt', text: 'read me\n' },
    ]);
    // Modes as checked out (they depend on the umask), except the inline file's explicit one.
    const modeOf = async (rel: string) =>
      (await stat(path.join(fixtures, 'valid/tasks/alpha', rel))).mode & 0o777;
    expect(alpha!.files.map((f) => f.mode)).toEqual([
      await modeOf('files/a.txt'),
      await modeOf('files/sub/b.txt'),
      await modeOf('run.sh'),
      0o600,
    ]);
    expect(alpha!.files[2]!.mode! & 0o100).toBe(0o100);
  });

  it('copies a whole task folder without its task.yaml; later entries win on the same path', async () => {
    const { dir, cleanup } = await scratchDir({
      'task.yaml': taskWith(
        '  - from: .\n  - path: data/x.txt\n    content: inline\n  - from: data/x.txt\n    to: copy.txt\n',
      ),
      'data/x.txt': 'from disk',
    });
    try {
      const [task] = await loadTask(path.join(dir, 'task.yaml'));
      const files = Object.fromEntries(task!.files.map((f) => [f.path, f.content.toString()]));
      expect(files).toEqual({ 'data/x.txt': 'inline', 'copy.txt': 'from disk' });
    } finally {
      await cleanup();
    }
  });

  it('rejects `from` outside the task folder', async () => {
    const file = path.join(fixtures, 'path-escape-from/task.yaml');
    const error = await expectConfigError(loadTask(file));
    expect(error.field).toBe('files[0].from');
    expect(error.line).toBe(4);
    expect(error.message).toContain('"../bad-type/task.yaml" is outside the task folder');
  });

  it("resolves a command scorer's files like the task's, apart from them, naming scorer.files in errors", async () => {
    const scorerWith = (files: string) =>
      `id: t\ninstructions: x\nfiles:\n  - from: given\nscorer:\n  type: command\n  command: python3 check.py\n  files:\n${files}`;
    const { dir, cleanup } = await scratchDir({
      'task.yaml': scorerWith('    - from: grader\n    - path: expected.txt\n      content: "42"\n'),
      'given/main.py': 'print(1)\n',
      'grader/check.py': 'print("checked")\n',
      'bad/task.yaml': scorerWith('    - from: ../given\n'),
      'bad/given/x.txt': 'x',
      // a walk of the whole task folder leaves the grader's files out
      'walk/task.yaml': scorerWith('    - from: given/hidden\n    - from: secret.txt\n').replace(
        'from: given\n',
        'from: .\n',
      ),
      'walk/given/hidden/test_x.py': 'hidden\n',
      'walk/given/main.py': 'print(1)\n',
      'walk/secret.txt': 'answer\n',
    });
    try {
      const [task] = await loadTask(path.join(dir, 'task.yaml'));
      expect(task!.files.map((f) => f.path)).toEqual(['main.py']);
      expect(task!.graderFiles.map((f) => [f.path, f.content.toString()])).toEqual([
        ['check.py', 'print("checked")\n'],
        ['expected.txt', '42'],
      ]);
      const [walk] = await loadTask(path.join(dir, 'walk/task.yaml'));
      expect(walk!.files.map((f) => f.path)).toEqual(['given/main.py']);
      expect(walk!.graderFiles.map((f) => f.path).sort()).toEqual(['secret.txt', 'test_x.py']);
      const error = await expectConfigError(loadTask(path.join(dir, 'bad/task.yaml')));
      expect(error.field).toBe('scorer.files[0].from');
      expect(error.message).toContain('"../given" is outside the task folder');
    } finally {
      await cleanup();
    }
  });

  it('rejects inline paths that leave the working directory', async () => {
    const error = await expectConfigError(loadTask(path.join(fixtures, 'path-escape-to/task.yaml')));
    expect(error.field).toBe('files[0].path');
    expect(error.message).toContain('"sub/../../outside.txt" leaves the working directory');
  });

  it('rejects absolute destinations, `to` escapes, missing sources and links out of the task folder', async () => {
    const { dir, cleanup } = await scratchDir({
      'abs/task.yaml': taskWith('  - path: /etc/passwd\n    content: x\n'),
      'to/task.yaml': taskWith('  - from: a.txt\n    to: ../a.txt\n'),
      'to/a.txt': 'a',
      'missing/task.yaml': taskWith('  - from: nothing-here\n'),
      'link/task.yaml': taskWith('  - from: stuff\n'),
      'link/stuff/ok.txt': 'ok',
      'secret.txt': 'host secret',
    });
    try {
      await symlink(path.join(dir, 'secret.txt'), path.join(dir, 'link/stuff/leak.txt'));
      const abs = await expectConfigError(loadTask(path.join(dir, 'abs/task.yaml')));
      expect(abs.message).toContain('files[0].path: "/etc/passwd" must be relative to the working directory');
      const to = await expectConfigError(loadTask(path.join(dir, 'to/task.yaml')));
      expect(to.field).toBe('files[0].to');
      const missing = await expectConfigError(loadTask(path.join(dir, 'missing/task.yaml')));
      expect(missing.message).toContain('no such file or folder "nothing-here"');
      const link = await expectConfigError(loadTask(path.join(dir, 'link/task.yaml')));
      expect(link.message).toContain('"leak.txt" in "stuff" links outside the task folder');
    } finally {
      await cleanup();
    }
  });

  it('follows links that stay inside the task folder', async () => {
    const { dir, cleanup } = await scratchDir({
      'task.yaml': taskWith('  - from: stuff\n    to: out/\n'),
      'stuff/real.sh': 'echo hi',
    });
    try {
      await chmod(path.join(dir, 'stuff/real.sh'), 0o750);
      await symlink('real.sh', path.join(dir, 'stuff/alias.sh'));
      const [task] = await loadTask(path.join(dir, 'task.yaml'));
      expect(task!.files.map((f) => [f.path, f.mode, f.content.toString()])).toEqual([
        ['out/alias.sh', 0o750, 'echo hi'],
        ['out/real.sh', 0o750, 'echo hi'],
      ]);
    } finally {
      await cleanup();
    }
  });
});
