import type { ExecResult, Sandbox } from '../sandbox/index.js';
import { FORWARDER_PORT, KILL_AGENT, LAUNCHER, SANDBOX_PATHS } from './launcher.js';

/** Captured output per stream: enough for a long agent log; head and tail kept beyond it. */
const OUTPUT_CAP = 512 * 1024;
const TAIL_CHARS = 2000;
const KILL_TIMEOUT_MS = 10_000;

export interface AgentProcess {
  argv: string[];
  env: Record<string, string>;
  /** A file in the sandbox given to the agent as standard input (else it reads nothing). */
  stdinFile: string | null;
  timeoutMs: number;
}

export type AgentExit =
  | { kind: 'exited'; result: ExecResult; durationMs: number }
  | { kind: 'stopped'; reason: unknown; durationMs: number };

export const tail = (text: string) => (text.length > TAIL_CHARS ? text.slice(-TAIL_CHARS) : text);

/**
 * Runs the agent in the sandbox through the launcher (forwarder to the proxy, process group
 * recorded). When `signal` aborts (a limit, the wall time, Ctrl-C) the agent's whole process group
 * is killed inside the sandbox before this returns, so a scorer that runs next sees no agent at work.
 */
export async function runAgentProcess(
  sandbox: Sandbox,
  process: AgentProcess,
  signal: AbortSignal,
): Promise<AgentExit> {
  const started = performance.now();
  const argv = [
    'bash',
    '-c',
    LAUNCHER,
    'turnbench-agent',
    String(FORWARDER_PORT),
    SANDBOX_PATHS.proxySocket,
    SANDBOX_PATHS.stateDir,
    process.stdinFile ?? '',
    ...process.argv,
  ];
  try {
    const result = await sandbox.exec(argv, {
      timeoutMs: process.timeoutMs,
      maxOutputBytes: OUTPUT_CAP,
      env: process.env,
      signal,
    });
    return { kind: 'exited', result, durationMs: performance.now() - started };
  } catch (error) {
    if (!signal.aborted) throw error;
    await killAgent(sandbox);
    return { kind: 'stopped', reason: signal.reason, durationMs: performance.now() - started };
  }
}

/** Kills the agent's process group in the sandbox; a sandbox already gone is fine. */
export async function killAgent(sandbox: Sandbox): Promise<void> {
  await sandbox
    .exec(['sh', '-c', KILL_AGENT, 'turnbench-kill', SANDBOX_PATHS.stateDir], { timeoutMs: KILL_TIMEOUT_MS })
    .catch(() => {});
}
