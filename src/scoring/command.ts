import { posix } from 'node:path';
import type { Scorer } from '../config/index.js';
import type { Sandbox, SandboxFile } from '../sandbox/index.js';
import { graderArgv } from './grader-shell.js';
import type { ScorerImpl } from './types.js';

type CommandScorer = Extract<Scorer, { type: 'command' }>;

const tail = (text: string, max = 400) => (text.length > max ? `…${text.slice(-max)}` : text);

/**
 * Removes the cached bytecode Python could load instead of a grader's .py file: an "unchecked"
 * hash-based .pyc the agent left in __pycache__ is used whatever the source now says.
 */
async function forgetBytecode(sandbox: Sandbox, files: SandboxFile[]): Promise<void> {
  const prefixes = files
    .filter((f) => f.path.endsWith('.py'))
    .map((f) => posix.join(posix.dirname(f.path), '__pycache__', `${posix.basename(f.path, '.py')}.`));
  if (prefixes.length === 0) return;
  const r = await sandbox.exec(
    ['sh', '-c', 'for p do rm -rf -- "$p"*.pyc || exit 1; done', 'sh', ...prefixes],
    {
      systemPath: true,
      timeoutMs: 30_000,
      maxOutputBytes: 4096,
    },
  );
  if (r.exitCode !== 0)
    throw new Error(`cannot remove cached bytecode of the grader's files: ${r.stderr.trim()}`);
}

/**
 * Runs a command in the sample's sandbox after the agent stops: exit 0 passes. First every process
 * the agent left running is ended and the grader's files are copied in over the agent's copies
 * (with any bytecode cached for them); then the command runs in a shell the agent could not shape
 * (see grader-shell.ts).
 */
export const commandScorer: ScorerImpl<CommandScorer> = {
  type: 'command',
  async score(spec, { sandbox, signal, graderFiles }) {
    await sandbox.endProcesses();
    await sandbox.putFiles(graderFiles);
    await forgetBytecode(sandbox, graderFiles);
    const result = await sandbox.exec(graderArgv(spec.command), {
      systemPath: true,
      timeoutMs: spec.timeout_s * 1000,
      maxOutputBytes: 8192,
      ...(signal ? { signal } : {}),
    });
    const output = tail(`${result.stdout}${result.stderr}`.trim());
    if (result.timedOut)
      return { passed: false, score: 0, detail: `scorer timed out after ${spec.timeout_s}s` };
    const passed = result.exitCode === 0;
    return { passed, score: passed ? 1 : 0, detail: `exit ${result.exitCode}${output ? `: ${output}` : ''}` };
  },
};
