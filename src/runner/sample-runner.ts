import { emptyTotals, type McpRuntime, runAgent, type SampleTotals } from '../agent/index.js';
import type { AgentRuntime } from '../agents/index.js';
import { timerDelay } from '../config/index.js';
import { linkedAbort, type ModelClient, type NormalisedUsage } from '../model/index.js';
import { type Sandbox, type SandboxSpec, SandboxUnavailableError } from '../sandbox/core.js';
import {
  type GraderAccess,
  GraderUnavailableError,
  type ScoreResult,
  scoreSample,
} from '../scoring/index.js';
import type { Sample } from '../tasks/index.js';
import {
  type AgentOutcome,
  eventHeader,
  type RecordSink,
  type SampleRecord,
  type SampleStatus,
} from '../telemetry/index.js';
import { sampleMcpServers } from './mcp-runtime.js';

export interface SandboxDefaults {
  memoryMb: number;
  cpus: number;
  pids: number;
  diskMb: number;
  workdir: string;
}

/** What a sample's sandbox looks like: its image, files, labels, limits and network. */
export function sandboxSpecFor(
  sample: Sample,
  runId: string,
  image: string,
  defaults: SandboxDefaults,
  mounts: SandboxSpec['mounts'] = [],
): SandboxSpec {
  return {
    image,
    workdir: defaults.workdir,
    files: sample.task.files,
    labels: { 'turnbench.run': runId, 'turnbench.sample': sample.sampleId },
    limits: {
      memoryMb: defaults.memoryMb,
      cpus: defaults.cpus,
      pids: defaults.pids,
      diskMb: defaults.diskMb,
    },
    network: sample.task.spec.network,
    ...(mounts && mounts.length > 0 ? { mounts } : {}),
  };
}

export interface SampleRunDeps {
  runId: string;
  /** Creates (or hands over a warm) sandbox for the sample; `release` is called once it is removed. */
  acquireSandbox: (sample: Sample, signal: AbortSignal) => Promise<{ sandbox: Sandbox; warm: boolean }>;
  releaseSandbox: () => void;
  model: ModelClient;
  sink: RecordSink;
  costOf: (model: string, usage: NormalisedUsage) => number | null;
  promptCacheKey: (sample: Sample) => string | undefined;
  /** Graders for model scorers (absent when the suite has none). */
  graders?: GraderAccess;
  /** Hard abort (second Ctrl-C, or the run stopping on an infrastructure failure): stops the sample at once. */
  abort: AbortSignal;
  /** turnbench's Node runtime for MCP servers: as seen in this sample's sandbox (null: not there), and on the host. */
  mcpRuntime?: (sample: Sample) => { sandbox: McpRuntime | null; host: McpRuntime };
  /** Agent CLIs (`agent: codex | command`) and their recording proxy; null when no variant has one. */
  agents?: AgentRuntime | null;
}

function mcpFor(sample: Sample, deps: SampleRunDeps) {
  const servers = sampleMcpServers(sample);
  if (servers.length === 0 || !deps.mcpRuntime) return {};
  const runtime = deps.mcpRuntime(sample);
  return {
    mcp: { servers, sandboxRuntime: runtime.sandbox, hostRuntime: runtime.host, hostDir: sample.task.dir },
  };
}

class WallTimeout extends Error {
  override name = 'WallTimeout';
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}

/** The recorded kind of a sample's error: what failed, in words a reader can filter on. */
function errorKind(error: unknown): string {
  if (error instanceof SandboxUnavailableError)
    return error.engineDown ? 'engine_unavailable' : 'sandbox_unavailable';
  if (error instanceof GraderUnavailableError) return 'grader_unavailable';
  return error instanceof Error ? error.name : 'error';
}

/** Why the run aborted the sample, as recorded: the run's own reason when it gave one. */
function cancelMessage(abort: AbortSignal): string {
  return abort.reason instanceof Error && abort.reason.name === 'RunHalt'
    ? abort.reason.message
    : 'run aborted';
}

/**
 * One sample end to end: fresh sandbox, setup, agent loop, scoring, and the sandbox removed
 * whatever happens. Never throws: every failure becomes the sample's recorded error.
 */
export async function runSample(sample: Sample, deps: SampleRunDeps): Promise<SampleRecord> {
  const startedAt = new Date();
  const totals: SampleTotals = emptyTotals();
  // Aborted by the run (hard abort) or by the wall-time limit, whichever comes first. A plain
  // controller, not AbortSignal.any: everything below reads `aborted` often (the SDK on every
  // stream chunk), and a composite signal walks its sources on each read.
  const sampleAbort = linkedAbort([deps.abort]);
  const wallMs = sample.task.limits.wall_timeout_s * 1000;
  const timer = setTimeout(
    () => sampleAbort.abort(new WallTimeout(`wall time limit of ${sample.task.limits.wall_timeout_s}s`)),
    timerDelay(wallMs),
  );
  const signal = sampleAbort.signal;
  const event = (turn: number) => eventHeader(deps.runId, sample.sampleId, turn);

  let sandbox: Sandbox | null = null;
  let status: SampleStatus = 'completed';
  let stopReason = 'final';
  let finalAnswer: string | null = null;
  let error: SampleRecord['error'] = null;
  let score: ScoreResult | null = null;
  const agentOutcome: { value: AgentOutcome | null } = { value: null };

  try {
    const created = performance.now();
    const acquired = await deps.acquireSandbox(sample, signal);
    sandbox = acquired.sandbox;
    deps.sink.event({
      ...event(0),
      type: 'sandbox',
      action: 'created',
      duration_ms: performance.now() - created,
      detail: `${sandbox.id}${acquired.warm ? ' (warm)' : ''}`,
    });

    for (const command of sample.task.spec.setup) {
      const began = performance.now();
      const result = await sandbox.exec(['bash', '-lc', command], {
        timeoutMs: sample.task.limits.command_timeout_s * 1000 * 4,
        maxOutputBytes: 8192,
        signal,
      });
      const ok = result.exitCode === 0 && !result.timedOut;
      deps.sink.event({
        ...event(0),
        type: 'sandbox',
        action: ok ? 'setup' : 'setup_failed',
        duration_ms: performance.now() - began,
        detail: ok
          ? command
          : `${command}: exit ${result.exitCode}${result.timedOut ? ' (timed out)' : ''} ${result.stderr.slice(-300)}`,
      });
      if (!ok) throw new Error(`setup command failed: ${command} (exit ${result.exitCode})`);
    }

    const outcome =
      sample.variant.agent.type !== 'builtin'
        ? await runAgentCli(sample, sandbox, deps, totals, signal, agentOutcome)
        : await runAgent({
            identity: {
              runId: deps.runId,
              sampleId: sample.sampleId,
              taskId: sample.task.id,
              variant: sample.variant.name,
              epoch: sample.epoch,
            },
            variant: sample.variant,
            taskText: sample.task.spec.instructions,
            limits: sample.task.limits,
            model: deps.model,
            sandbox,
            sink: deps.sink,
            signal,
            env: { cwd: sandbox.workdir, shell: 'bash', network: sample.task.spec.network },
            promptCacheKey: deps.promptCacheKey(sample),
            costOf: deps.costOf,
            totals,
            ...mcpFor(sample, deps),
          });
    stopReason = outcome.stopReason;
    finalAnswer = outcome.finalAnswer;
    if (outcome.stopReason !== 'final') status = 'limit';
  } catch (caught) {
    const reason = signal.aborted ? signal.reason : caught;
    if (reason instanceof WallTimeout) {
      status = 'timeout';
      stopReason = 'wall_timeout';
      error = { kind: 'wall_timeout', message: reason.message };
    } else if (deps.abort.aborted) {
      status = 'cancelled';
      stopReason = 'cancelled';
      error = { kind: 'cancelled', message: cancelMessage(deps.abort) };
    } else {
      status = 'error';
      stopReason = 'error';
      error = { kind: errorKind(caught), message: errorMessage(caught) };
    }
    deps.sink.event({ ...event(totals.turns), type: 'error', kind: error.kind, message: error.message });
  }

  // Score whatever state the agent left, unless the sample never got a sandbox or was aborted. A
  // scorer that cannot reach its sandbox gives no score: the sample is an error, run again on resume.
  if (sandbox && status !== 'cancelled' && status !== 'error') {
    try {
      score = await scoreSample(sample.task.spec.scorer, {
        sandbox,
        finalAnswer,
        taskText: sample.task.spec.instructions,
        graderFiles: sample.task.graderFiles,
        signal: deps.abort,
        ...(deps.graders ? { graders: deps.graders } : {}),
      });
    } catch (caught) {
      if (deps.abort.aborted) {
        status = 'cancelled';
        stopReason = 'cancelled';
        error = { kind: 'cancelled', message: cancelMessage(deps.abort) };
      } else if (caught instanceof SandboxUnavailableError || caught instanceof GraderUnavailableError) {
        status = 'error';
        stopReason = 'error';
        error = { kind: errorKind(caught), message: `scoring: ${errorMessage(caught)}` };
      } else {
        score = { passed: false, score: 0, detail: `scorer error: ${errorMessage(caught)}` };
      }
      if (error)
        deps.sink.event({ ...event(totals.turns), type: 'error', kind: error.kind, message: error.message });
    }
  }
  clearTimeout(timer);
  sampleAbort.unlink();

  if (sandbox) {
    const began = performance.now();
    try {
      await sandbox.destroy();
      deps.sink.event({
        ...event(totals.turns),
        type: 'sandbox',
        action: 'removed',
        duration_ms: performance.now() - began,
        detail: null,
      });
    } catch (caught) {
      deps.sink.event({
        ...event(totals.turns),
        type: 'error',
        kind: 'sandbox_remove',
        message: errorMessage(caught),
      });
    } finally {
      deps.releaseSandbox();
    }
  }

  const endedAt = new Date();
  return {
    schema: 1,
    run_id: deps.runId,
    sample_id: sample.sampleId,
    task_id: sample.task.id,
    variant: sample.variant.name,
    epoch: sample.epoch,
    tags: sample.task.spec.tags,
    status,
    stop_reason: stopReason,
    // An error or a cancelled sample has no score at all: not a failure, a sample still to run.
    passed: score ? score.passed : null,
    score: score ? score.score : null,
    score_detail: score ? score.detail : null,
    final_answer: finalAnswer,
    turns: totals.turns,
    input_tokens: totals.inputTokens,
    cached_tokens: totals.cachedTokens,
    cache_write_tokens: totals.cacheWriteTokens,
    output_tokens: totals.outputTokens,
    reasoning_tokens: totals.reasoningTokens,
    bytes_sent: totals.bytesSent,
    tool_calls: totals.toolCalls,
    tool_errors: totals.toolErrors,
    compactions: totals.compactions,
    cache_breaks: totals.cacheBreaks,
    cost_usd: totals.costUsd,
    started_at: startedAt.toISOString(),
    ended_at: endedAt.toISOString(),
    wall_ms: endedAt.getTime() - startedAt.getTime(),
    error,
    ...(score?.grades ? { grades: score.grades } : {}),
    ...(sample.variant.agent.type !== 'builtin' ? { agent: agentOutcome.value } : {}),
  };
}

/** An agent CLI drives the sample instead of the builtin loop; its requests are recorded by the proxy. */
function runAgentCli(
  sample: Sample,
  sandbox: Sandbox,
  deps: SampleRunDeps,
  totals: SampleTotals,
  signal: AbortSignal,
  outcome: { value: AgentOutcome | null },
) {
  if (!deps.agents) throw new Error(`variant ${sample.variant.name}: no agent runtime was started`);
  return deps.agents.runSample({
    sample,
    sandbox,
    sink: deps.sink,
    totals,
    signal,
    outcome,
  });
}
