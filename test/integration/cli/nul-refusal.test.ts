import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli } from './helpers.js';

/**
 * A NUL byte in a setup command used to pass loading and end every sample in error at run time
 * ("TypeError: The argument 'args[1]' must be a string without null bytes"). The CLI now refuses
 * the suite before anything runs, in one line naming the file, line and field.
 */

function nulSuite(): { suiteFile: string; root: string } {
  const root = mkdtempSync(join(tmpdir(), 'tb-nul-'));
  mkdirSync(join(root, 'tasks', 'nul'), { recursive: true });
  // "\0" in a double-quoted YAML scalar is the NUL character
  writeFileSync(
    join(root, 'tasks', 'nul', 'task.yaml'),
    [
      'id: nul',
      'instructions: Reply done.',
      'setup:',
      '  - "echo a\\0b > f.txt"',
      'scorer: { type: match, mode: contains, expected: done }',
      'sim: { steps: [], final: done }',
      '',
    ].join('\n'),
  );
  const suiteFile = join(root, 'suite.yaml');
  writeFileSync(
    suiteFile,
    [
      'name: nul',
      'tasks: ["tasks/*"]',
      'variants: [{ name: v, provider: sim, model: sim-1, instructions: Answer. }]',
      'sandbox: { engine: local }',
      '',
    ].join('\n'),
  );
  return { suiteFile, root };
}

const EXPECTED =
  /^error: .*tasks\/nul\/task\.yaml:4: setup\[0\]: holds a NUL byte \(\\0\), which no process argument, environment value or path can carry$/;

describe('a NUL byte in a setup command', () => {
  beforeAll(() => assertBuilt());

  it('`run` refuses the suite with exit 2 and one line naming file, line and field; no run folder is made', async () => {
    const { suiteFile, root } = nulSuite();
    const resultsDir = join(root, 'results');
    const result = await runCli(['run', suiteFile, '--run-id', 'nul', '--results-dir', resultsDir]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(EXPECTED);
    expect(existsSync(join(resultsDir, 'nul'))).toBe(false);
  });

  it('`tasks` (the check of a suite without running it) reports the same line', async () => {
    const { suiteFile } = nulSuite();
    const result = await runCli(['tasks', suiteFile]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim()).toMatch(EXPECTED);
  });
});
