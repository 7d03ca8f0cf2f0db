import type { Sandbox } from '../sandbox/index.js';
import type { Sample } from '../tasks/index.js';
import type { AgentUsageCheck } from '../telemetry/index.js';
import type { RecordedUsage } from './proxy/sample-recorder.js';
import type { AgentExit, AgentProcess } from './sandbox-exec.js';

export interface AgentContext {
  sample: Sample;
  sandbox: Sandbox;
  /** The sample's results folder (session logs, the agent's output). */
  sampleDir: string;
  timeoutMs: number;
}

export interface AgentReport {
  finalAnswer: string | null;
  usageCheck: AgentUsageCheck;
  version: string | null;
}

/** One kind of agent CLI: how to start it in the sandbox, and what to read back once it ended. */
export interface AgentDriver {
  readonly type: 'codex' | 'command';
  prepare(ctx: AgentContext): Promise<AgentProcess>;
  /** Called once the agent ended (exited or stopped); the sandbox still exists. */
  collect(ctx: AgentContext, exit: AgentExit, proxied: readonly RecordedUsage[]): Promise<AgentReport>;
}
