import type { Scorer } from '../config/index.js';
import { SYSTEM_PATH } from '../sandbox/index.js';
import { graderArgv } from './grader-shell.js';
import type { ScorerImpl } from './types.js';

type CommandScorer = Extract<Scorer, { type: 'command' }>;

const tail = (text: string, max = 400) => (text.length > max ? `…${text.slice(-max)}` : text);

/**
 * Runs a command in the sample's sandbox after the agent stops: exit 0 passes. First every process
 * the agent left running is ended and the grader's files are copied in over the agent's copies;
 * then the command runs in a shell the agent could not shape (see grader-shell.ts).
 */
export const commandScorer: ScorerImpl<CommandScorer> = {
  type: 'command',
  async score(spec, { sandbox, signal, graderFiles }) {
    await sandbox.endProcesses();
    await sandbox.putFiles(graderFiles);
    const result = await sandbox.exec(graderArgv(spec.command), {
      env: { PATH: SYSTEM_PATH },
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
