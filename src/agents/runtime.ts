import { chmodSync, mkdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { StopReason } from '../agent/index.js';
import type { SampleTotals } from '../agent/totals.js';
import type { Pricing } from '../config/index.js';
import { linkedAbort } from '../model/index.js';
import type { Sandbox, SandboxMount } from '../sandbox/index.js';
import { redact } from '../secrets/index.js';
import type { Sample } from '../tasks/index.js';
import { type AgentOutcome, eventHeader, type RecordSink } from '../telemetry/index.js';
import { type CodexBuild, findCodexBuild } from './codex/binary.js';
import { CodexDriver } from './codex/driver.js';
import { CommandDriver } from './command/driver.js';
import type { AgentDriver } from './driver.js';
import { SANDBOX_PATHS } from './launcher.js';
import { RecordThread } from './proxy/record-thread.js';
import { RecordingProxy, type RequestGate } from './proxy/server.js';
import type { UpstreamEndpoint } from './proxy/upstream.js';
import { runAgentProcess, tail } from './sandbox-exec.js';

export interface AgentRuntimeOptions {
  runId: string;
  /** Prices for the turn records' costs (read in the recording thread). */
  pricing: Pricing;
  /** The run's results folder; each sample's agent files go to `samples/<sample id>/` in it. */
  runDir: string;
  /** The suite file's folder: command agents' mount sources are relative to it. */
  suiteDir: string;
  /** Where each agent variant's requests really go (with the real key). */
  endpointFor: (variantName: string) => UpstreamEndpoint;
  /** Whether any variant is a Codex one (then the Codex build must be present). */
  needsCodex: boolean;
  /** The endpoint budgets (`--requests/--rpm/--tpm`) a variant's requests go through, if any. */
  gateFor?: (variantName: string) => RequestGate | null;
}

export interface AgentSampleInput {
  sample: Sample;
  sandbox: Sandbox;
  sink: RecordSink;
  totals: SampleTotals;
  /** Wall time and hard abort: the caller tells which one it was. */
  signal: AbortSignal;
  /** Filled in as soon as the agent ended, so the caller has it even when this throws. */
  outcome: { value: AgentOutcome | null };
}

export interface AgentSampleResult {
  stopReason: StopReason;
  finalAnswer: string | null;
}

/** A sample's results folder name: its id, safe as one path segment. */
export function sampleDirName(sampleId: string): string {
  return encodeURIComponent(sampleId);
}

/**
 * Agent CLIs for one run: the recording proxy, one unix socket folder per sample (bind-mounted
 * into that sample's container, so its requests are known to be its own), the agents' binaries
 * mounted read-only, and the run of each sample's agent from start to its records.
 */
export class AgentRuntime {
  private readonly proxy = new RecordingProxy();
  private readonly socketDirs = new Map<string, string>();
  private readonly codex: CodexBuild | null;
  private readonly records: RecordThread;

  private constructor(
    private readonly opts: AgentRuntimeOptions,
    private readonly root: string,
  ) {
    this.codex = opts.needsCodex ? findCodexBuild() : null;
    this.records = new RecordThread(opts.pricing);
  }

  static async start(opts: AgentRuntimeOptions): Promise<AgentRuntime> {
    // Only this process's user may walk into the folder: the sockets in it lead to a proxy that
    // holds the API key. Inside a container, the mounted sample folder is reachable on its own.
    const root = await mkdtemp(join(tmpdir(), 'turnbench-agents-'));
    await chmod(root, 0o700);
    try {
      return new AgentRuntime(opts, root);
    } catch (error) {
      await rm(root, { recursive: true, force: true });
      throw error;
    }
  }

  /** The sample's socket folder on the host (created once; short paths: a socket path has a size limit). */
  private socketDir(sampleId: string): string {
    let dir = this.socketDirs.get(sampleId);
    if (!dir) {
      dir = join(this.root, String(this.socketDirs.size + 1));
      this.socketDirs.set(sampleId, dir);
      mkdirSync(dir, { recursive: true, mode: 0o711 });
      chmodSync(dir, 0o711);
    }
    return dir;
  }

  /** What the sample's container mounts: the socket folder, the agent's binaries. */
  mountsFor(sample: Sample): SandboxMount[] {
    const agent = sample.variant.agent;
    if (agent.type === 'builtin') return [];
    const mounts: SandboxMount[] = [
      { source: this.socketDir(sample.sampleId), target: SANDBOX_PATHS.proxyDir },
    ];
    if (agent.type === 'codex' && this.codex) {
      mounts.push({ source: this.codex.dir, target: SANDBOX_PATHS.codexDir });
    }
    if (agent.type === 'command') {
      if (agent.node) {
        mounts.push({ source: process.execPath, target: `${SANDBOX_PATHS.nodeBin}/node` });
      }
      for (const m of agent.mounts) {
        mounts.push({ source: resolve(this.opts.suiteDir, m.source), target: m.target });
      }
    }
    return mounts;
  }

  private driverFor(sample: Sample): AgentDriver {
    const { agent } = sample.variant;
    if (agent.type === 'codex') {
      if (!this.codex) throw new Error('the Codex build was not located at run start');
      return new CodexDriver(this.codex, sample.variant, agent);
    }
    if (agent.type === 'command') return new CommandDriver(sample.variant, agent);
    throw new Error(`variant ${sample.variant.name} runs the builtin agent`);
  }

  /**
   * One sample's agent: its proxy listener opened, the agent started in the sandbox and waited for
   * (or stopped at a limit, the wall time or Ctrl-C, its whole process group killed), its records
   * closed, its own logs copied out and checked. Throws the abort reason when the sample was
   * stopped from outside (wall time, Ctrl-C), after the agent's files were collected.
   */
  async runSample(input: AgentSampleInput): Promise<AgentSampleResult> {
    const { sample, sandbox, sink } = input;
    const driver = this.driverFor(sample);
    const limitStop = linkedAbort([input.signal]);
    const signal = limitStop.signal;
    const recorder = this.records.open({
      identity: {
        runId: this.opts.runId,
        sampleId: sample.sampleId,
        taskId: sample.task.id,
        variant: sample.variant.name,
        epoch: sample.epoch,
      },
      provider: sample.variant.provider,
      sink,
      totals: input.totals,
      limits: sample.task.limits,
      onLimit: (reason) => limitStop.abort(new AgentLimit(reason)),
    });
    const channelEnd = new AbortController();
    const socketDir = this.socketDir(sample.sampleId);
    const listener = await this.proxy.openSample(
      {
        upstream: this.opts.endpointFor(sample.variant.name),
        recorder,
        retries: sample.variant.agent.type === 'command' ? sample.variant.agent.retries : 'agent',
        signal: channelEnd.signal,
        runId: this.opts.runId,
        sampleId: sample.sampleId,
        gate: this.opts.gateFor?.(sample.variant.name) ?? null,
      },
      { socketPath: join(socketDir, 'proxy.sock') },
    );
    const sampleDir = join(this.opts.runDir, 'samples', sampleDirName(sample.sampleId));
    const ctx = {
      sample,
      sandbox,
      sampleDir,
      timeoutMs: sample.task.limits.wall_timeout_s * 1000 + 5_000,
    };
    try {
      await chmod(join(socketDir, 'proxy.sock'), 0o666);
      const process = await driver.prepare(ctx);
      const exit = await runAgentProcess(sandbox, process, signal);
      await recorder.close();
      const cancelled =
        exit.kind === 'stopped' &&
        !(exit.reason instanceof AgentLimit) &&
        input.signal.aborted &&
        isHardAbort(exit.reason);
      const report = cancelled
        ? {
            finalAnswer: null,
            usageCheck: notChecked(recorder.usages.length, 'the run was aborted'),
            version: null,
          }
        : await driver.collect(ctx, exit, recorder.usages);
      const stdout = exit.kind === 'exited' ? exit.result.stdout : '';
      const stderr = exit.kind === 'exited' ? exit.result.stderr : '';
      if (exit.kind === 'exited') await saveOutput(sampleDir, stdout, stderr);
      const exitCode = exit.kind === 'exited' ? exit.result.exitCode : null;
      const stopped = exit.kind === 'stopped' ? stopLabel(exit.reason) : null;
      input.outcome.value = {
        type: driver.type,
        version: report.version,
        exit_code: exitCode,
        usage_check: report.usageCheck,
      };
      sink.event({
        ...eventHeader(this.opts.runId, sample.sampleId, input.totals.turns),
        type: 'agent',
        agent: driver.type,
        exit_code: exitCode,
        stopped,
        duration_ms: exit.durationMs,
        stdout_tail: tail(stdout),
        stderr_tail: tail(stderr),
      });
      if (report.usageCheck.status === 'mismatch') {
        sink.event({
          ...eventHeader(this.opts.runId, sample.sampleId, input.totals.turns),
          type: 'error',
          kind: 'usage_mismatch',
          message: `the agent's log and the proxy disagree: ${report.usageCheck.detail}`,
        });
      }
      if (exit.kind === 'stopped') {
        if (exit.reason instanceof AgentLimit) return { stopReason: exit.reason.reason, finalAnswer: null };
        throw exit.reason;
      }
      if (exit.result.exitCode !== 0) {
        throw new AgentFailed(
          `${driver.type} exited with code ${exit.result.exitCode}: ${lastLine(exit.result.stderr || exit.result.stdout)}`,
        );
      }
      return { stopReason: 'final', finalAnswer: report.finalAnswer };
    } finally {
      channelEnd.abort();
      limitStop.unlink();
      await listener.close();
      this.records.forget(sample.sampleId);
    }
  }

  async close(): Promise<void> {
    await this.proxy.close();
    await this.records.close();
    await rm(this.root, { recursive: true, force: true });
  }
}

/** A request was refused at one of the sample's limits; the agent was stopped for it. */
export class AgentLimit extends Error {
  override name = 'AgentLimit';
  constructor(readonly reason: Exclude<StopReason, 'final'>) {
    super(`limit ${reason}`);
  }
}

/** The agent exited with a failure of its own. */
export class AgentFailed extends Error {
  override name = 'AgentFailed';
}

function isHardAbort(reason: unknown): boolean {
  return !(reason instanceof Error && reason.name === 'WallTimeout');
}

function stopLabel(reason: unknown): string {
  if (reason instanceof AgentLimit) return reason.reason;
  if (reason instanceof Error && reason.name === 'WallTimeout') return 'wall_timeout';
  return 'cancelled';
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 300);
}

function notChecked(requests: number, why: string): AgentOutcome['usage_check'] {
  return { status: 'not_checked', proxy_requests: requests, log_requests: 0, detail: why };
}

async function saveOutput(sampleDir: string, stdout: string, stderr: string): Promise<void> {
  await mkdir(sampleDir, { recursive: true });
  // An agent can print what the proxy never let through (its own output is its own): redacted too.
  await writeFile(join(sampleDir, 'agent-stdout.txt'), redact(stdout));
  await writeFile(join(sampleDir, 'agent-stderr.txt'), redact(stderr));
}
