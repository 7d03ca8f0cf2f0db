import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import PQueue from 'p-queue';
import type { AgentRuntime } from '../agents/index.js';
import { costUsd, type Pricing, priceFor } from '../config/index.js';
import {
  createModelClient,
  linkedAbort,
  type ModelClient,
  type ProviderEndpoint,
  resolveEndpoint,
} from '../model/index.js';
import type { SandboxProvider } from '../sandbox/index.js';
import { registerSecretsFromEnv } from '../secrets/index.js';
import { expandSamples, type LoadedSuite, type Sample } from '../tasks/index.js';
import { FolderError, ResultsWriter, type RunManifest, type SampleRecord } from '../telemetry/index.js';
import { agentEngineProblem } from './agent-engine.js';
import { RunBudget, recordedCost, skippedRecord, unpricedModel } from './budget.js';
import { GraderPool, modelScorersOf } from './graders.js';
import { type PreparedImages, prepareImages } from './images.js';
import {
  hostMcpRuntime,
  type McpSandboxRuntime,
  missingBundles,
  sampleMcpServers,
  sandboxMcpRuntime,
  sandboxNeedsNode,
} from './mcp-runtime.js';
import { limitModelClient, type ProviderLimits, requestGate } from './model-limits.js';
import { observedSink, observeSample, type RunObserver } from './observer.js';
import type { ProgressReporter } from './progress.js';
import { roomInQueue } from './queue-room.js';
import {
  dropUnfinishedRecords,
  dropUnfinishedSampleFolders,
  finishedSampleIds,
  ResumeError,
  readRunManifest,
} from './resume.js';
import { acquireRunLock, type RunLock } from './run-lock.js';
import { runSample, sandboxSpecFor } from './sample-runner.js';
import { type Shard, shardSamples } from './shard.js';
import { versions } from './versions.js';
import { WarmPool } from './warm-pool.js';

export interface RunOptions {
  suite: LoadedSuite;
  runId: string;
  resultsDir: string;
  concurrency?: number;
  /** Live sandboxes at once, warm ones included (default: sample concurrency + warm pool size). */
  sandboxConcurrency?: number;
  /** Sandboxes created ahead for upcoming samples (default: min(2, concurrency); 0 turns it off). */
  warmPool?: number;
  providerLimits?: ProviderLimits;
  sandboxes: SandboxProvider;
  pricing: Pricing;
  progress: ProgressReporter;
  env?: NodeJS.ProcessEnv;
  /** Continue an existing run folder: run only the samples that have no sample record. */
  resume?: { force: boolean };
  shard?: Shard;
  /** Run only these variants / tasks (ids or dataset task prefixes) / this many epochs. */
  selection?: Selection;
  /** Stop scheduling once the run's recorded cost reaches this (USD); wins over the suite's limit. */
  budgetUsd?: number;
  /** First abort: stop scheduling and let samples in flight finish. */
  stop: AbortSignal;
  /** Second abort: abort samples in flight. */
  abort: AbortSignal;
  /** Sees every record as it is written (live OpenTelemetry export). */
  observer?: RunObserver;
}

export interface RunOutcome {
  runId: string;
  runDir: string;
  status: RunManifest['status'];
  /** Samples finished by this invocation. */
  records: number;
  /** Samples skipped because an earlier invocation finished them (resume). */
  alreadyDone: number;
  /** The run's cost budget, when it had one: what was spent, and the samples skipped for it. */
  budget: { limitUsd: number; spentUsd: number; skipped: number } | null;
  /** Samples of this invocation that ended in error: no score; a resume runs them again. */
  errored: number;
  /** Why the run stopped early or has samples without a score, in one line; null when it has none. */
  error: string | null;
}

export interface Selection {
  variants?: string[];
  tasks?: string[];
  epochs?: number;
}

export class RunSetupError extends Error {
  override name = 'RunSetupError';
}

export function suiteHash(suite: LoadedSuite, sampleIds: string[]): string {
  return createHash('sha256')
    .update(JSON.stringify({ spec: suite.spec, tasks: suite.tasks.map((t) => [t.id, t.spec]), sampleIds }))
    .digest('hex')
    .slice(0, 16);
}

function cacheKeyPolicy(runId: string) {
  return (sample: Sample): string | undefined => {
    switch (sample.variant.prompt_cache_key) {
      case 'none':
        return undefined;
      case 'run':
        return `tb-${runId}`;
      case 'task':
        return `tb-${sample.task.id}`;
      case 'sample':
        return `tb-${runId}-${sample.sampleId}`;
    }
  };
}

interface RunPlan {
  manifest: RunManifest;
  pending: Sample[];
  alreadyDone: number;
}

/** A fresh run folder, or the remaining samples of an existing one (resume). */
async function planRun(opts: RunOptions, runDir: string): Promise<RunPlan> {
  const exists = existsSync(join(runDir, 'run.json'));
  // A resumed run covers the same part of the suite as it did, unless told otherwise.
  const previous = opts.resume && exists ? readRunManifest(runDir) : null;
  const selection = opts.selection ?? previous?.selection ?? undefined;
  const all = expandSamples(opts.suite, selection ?? {});
  const samples = opts.shard ? shardSamples(all, opts.shard) : all;
  const sampleIds = samples.map((s) => s.sampleId);
  const hash = suiteHash(opts.suite, sampleIds);

  if (!opts.resume) {
    if (exists)
      throw new RunSetupError(`run folder ${runDir} already exists; choose another --run-id or --resume it`);
    return {
      pending: samples,
      alreadyDone: 0,
      manifest: {
        schema: 1,
        run_id: opts.runId,
        suite_name: opts.suite.spec.name,
        suite_path: opts.suite.file,
        suite: { ...opts.suite.spec, task_ids: opts.suite.tasks.map((t) => t.id) },
        suite_hash: hash,
        sample_ids: sampleIds,
        status: 'running',
        started_at: new Date().toISOString(),
        ended_at: null,
        versions: versions(),
        shard: opts.shard ?? null,
        selection: selection ?? null,
        resumed_at: [],
        merged_from: [],
        source: 'run',
        ingest: null,
        error: null,
        owner: { pid: process.pid, host: hostname() },
      },
    };
  }

  if (!previous) throw new ResumeError(`cannot resume: ${runDir} has no run.json`);
  if (previous.suite_hash !== hash && !opts.resume.force) {
    throw new ResumeError(
      `cannot resume ${opts.runId}: the suite changed since the run started (suite hash ${previous.suite_hash}, now ${hash}); ` +
        'pass --force to resume anyway',
    );
  }
  const finished = await finishedSampleIds(runDir);
  await dropUnfinishedRecords(runDir, finished);
  dropUnfinishedSampleFolders(runDir, finished);
  const known = new Set(previous.sample_ids);
  return {
    pending: samples.filter((s) => !finished.has(s.sampleId)),
    alreadyDone: samples.filter((s) => finished.has(s.sampleId)).length,
    manifest: {
      ...previous,
      suite_hash: hash,
      sample_ids: [...previous.sample_ids, ...sampleIds.filter((id) => !known.has(id))],
      status: 'running',
      ended_at: null,
      error: null,
      versions: versions(),
      selection: selection ?? null,
      resumed_at: [...previous.resumed_at, new Date().toISOString()],
      owner: { pid: process.pid, host: hostname() },
    },
  };
}

/** Why the run stopped on its own: the engine went away, the results could not be written. */
class RunHalt extends Error {
  override name = 'RunHalt';
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

type CostOf = (model: string, usage: Parameters<typeof costUsd>[1]) => number | null;

/** What a run has set up before its samples start, handed to executePlan. */
interface RunServices {
  clients: Map<string, ModelClient>;
  graders: GraderPool | null;
  costOf: CostOf;
  budgetUsd: number | null;
  images: PreparedImages;
  agents: AgentRuntime | null;
}

/**
 * Runs every sample of a suite under the concurrency limits and writes the run folder. The run
 * folder is held (run-lock.ts) from before its records are read until the run ends: a second
 * process writing the same run is refused. Every server, client and folder lock it takes is given
 * back on every way out.
 */
export async function runSuite(opts: RunOptions): Promise<RunOutcome> {
  const { suite, runId, progress } = opts;
  const env = opts.env ?? process.env;
  const runDir = join(opts.resultsDir, runId);

  const budgetUsd = opts.budgetUsd ?? suite.spec.limits.max_run_cost_usd ?? null;
  // Everything that can be wrong with the input fails here, before any folder or container.
  const graderSpecs = modelScorersOf(suite.tasks);
  const needsSim =
    suite.spec.variants.some((v) => v.provider === 'sim') ||
    graderSpecs.some((g) => g.spec.provider === 'sim');
  // The sim (and its tokenizer) is loaded only for a suite that uses it.
  const sim = needsSim ? await (await import('./sim-host.js')).startSimForSuite(suite) : null;
  const prices = new Map<string, ReturnType<typeof priceFor>>();
  const costOf: CostOf = (model, usage) => {
    if (!prices.has(model)) prices.set(model, priceFor(opts.pricing, model));
    return costUsd(prices.get(model) ?? null, usage);
  };
  const clients = new Map<string, ModelClient>();
  const endpoints = new Map<string, ProviderEndpoint>();
  let agents: AgentRuntime | null = null;
  // Every key this run may read is a secret no record, line or report may hold (src/secrets).
  registerSecretsFromEnv(
    env,
    suite.spec.variants.map((v) => v.api_key_env),
  );
  try {
    for (const variant of suite.spec.variants) {
      const endpoint = resolveEndpoint(variant, env, sim?.url ?? null);
      endpoints.set(variant.name, endpoint);
      const client = createModelClient(variant, endpoint);
      clients.set(variant.name, limitModelClient(client, endpoint.baseURL, opts.providerLimits));
    }
    const graders =
      graderSpecs.length > 0 ? new GraderPool(suite.tasks, env, sim?.url ?? null, costOf) : null;
    const agentVariants = suite.spec.variants.filter((v) => v.agent.type !== 'builtin');
    if (agentVariants.length > 0) {
      const problem = agentEngineProblem(suite, opts.sandboxes, env);
      if (problem) throw new RunSetupError(`variant ${agentVariants[0]!.name}: ${problem}`);
    }
    const unpriced = budgetUsd !== null ? unpricedModel(suite.spec, opts.pricing) : null;
    if (unpriced) {
      throw new RunSetupError(
        `a run budget needs a price for every model: variant "${unpriced.variant}" uses "${unpriced.model}", which has none (add it with --pricing FILE)`,
      );
    }
    let lock: RunLock;
    try {
      lock = acquireRunLock(runDir, opts.resume ? `run --resume ${runId}` : `run --run-id ${runId}`);
    } catch (error) {
      if (error instanceof FolderError) throw new RunSetupError(`--results-dir: ${error.message}`);
      throw error;
    }
    try {
      const plan = await planRun(opts, runDir);
      const unbuilt = missingBundles(plan.pending);
      if (unbuilt) throw new RunSetupError(unbuilt);
      // Before anything is recorded: an image that is not there is bad input (exit 2), and a new
      // run's folder is removed again when the lock is given back.
      const images = await prepareImages(suite, opts.sandboxes, progress);
      if (agentVariants.length > 0) {
        // The agents' runtime (proxy, drivers, Codex config) is loaded only for a suite that has agents.
        const { AgentRuntime } = await import('../agents/index.js');
        agents = await AgentRuntime.start({
          runId,
          pricing: opts.pricing,
          runDir,
          suiteDir: suite.dir,
          needsCodex: agentVariants.some((v) => v.agent.type === 'codex'),
          gateFor: (name) => {
            const endpoint = endpoints.get(name);
            return endpoint ? requestGate(endpoint.baseURL, opts.providerLimits) : null;
          },
          endpointFor: (name) => {
            const endpoint = endpoints.get(name);
            if (!endpoint) throw new Error(`no endpoint for variant ${name}`);
            return {
              baseURL: endpoint.baseURL,
              apiKey: endpoint.apiKey,
              ...(endpoint.headers ? { headers: endpoint.headers } : {}),
            };
          },
        }).catch((error: unknown) => {
          throw new RunSetupError(error instanceof Error ? error.message : String(error));
        });
      }
      return await executePlan(opts, runDir, plan, { clients, graders, costOf, budgetUsd, images, agents });
    } finally {
      lock.release();
    }
  } finally {
    for (const client of clients.values()) client.close?.();
    await agents?.close();
    await sim?.close();
  }
}

async function executePlan(
  opts: RunOptions,
  runDir: string,
  plan: RunPlan,
  { clients, graders, costOf, budgetUsd, images, agents }: RunServices,
): Promise<RunOutcome> {
  const { suite, runId, progress } = opts;
  // The run stops itself (no new samples, samples in flight aborted) when its engine goes away or
  // its results cannot be written: nothing more could be run or recorded.
  const halt = new AbortController();
  let haltReason: string | null = null;
  const stopRun = (reason: string) => {
    if (haltReason !== null) return;
    haltReason = reason;
    progress.info(`stopping: ${reason}; samples in flight are cancelled`);
    halt.abort(new RunHalt(`run stopped: ${reason}`));
  };
  const stopLink = linkedAbort([opts.stop, halt.signal]);
  const abortLink = linkedAbort([opts.abort, halt.signal]);
  const stop = stopLink.signal;
  const abort = abortLink.signal;

  const writer = new ResultsWriter(runDir, (error) => stopRun(error.message));
  const manifest = plan.manifest;
  try {
    writer.writeManifest(manifest);

    const promptCacheKey = cacheKeyPolicy(runId);
    const sandboxDefaults = {
      memoryMb: suite.spec.sandbox.memory_mb,
      cpus: suite.spec.sandbox.cpus,
      pids: suite.spec.sandbox.pids,
      diskMb: suite.spec.sandbox.disk_mb,
      workdir: suite.spec.sandbox.workdir,
    };
    // turnbench's Node for MCP servers, only when some sample has a server.
    const withMcp = plan.pending.some((s) => sampleMcpServers(s).length > 0);
    const mcpSandbox: McpSandboxRuntime | null = withMcp ? sandboxMcpRuntime(opts.sandboxes.kind) : null;
    const mcpHost = withMcp ? hostMcpRuntime() : null;
    const specFor = (sample: Sample) =>
      sandboxSpecFor(sample, runId, images.tagFor(sample), sandboxDefaults, [
        ...(mcpSandbox && sandboxNeedsNode(sample) ? mcpSandbox.mounts : []),
        ...(agents?.mountsFor(sample) ?? []),
      ]);
    const imageReady = (sample: Sample) => images.ready(sample);

    // After a sample error, is the engine still there? One check at a time, shared by all.
    let engineCheck: Promise<void> | null = null;
    const watchEngine = async () => {
      const check = opts.sandboxes.checkEngine?.bind(opts.sandboxes);
      if (!check || haltReason !== null) return;
      engineCheck ??= check()
        .catch((error: unknown) => stopRun(`the sandbox engine stopped answering (${firstLine(error)})`))
        .finally(() => {
          engineCheck = null;
        });
      await engineCheck;
    };

    const concurrency = opts.concurrency ?? suite.spec.concurrency.samples;
    const warmSize = opts.warmPool ?? Math.min(2, concurrency);
    const sandboxLimit =
      opts.sandboxConcurrency ?? suite.spec.concurrency.sandboxes ?? concurrency + warmSize;
    // A sample holds a sandbox for its whole life, so samples at once <= sandboxes.
    const queue = new PQueue({ concurrency: Math.min(concurrency, sandboxLimit) });
    const pool = new WarmPool(opts.sandboxes, warmSize, sandboxLimit);
    let started = 0;
    const topUp = () => {
      for (let i = started; i < plan.pending.length && pool.warmCount < warmSize; i++) {
        const next = plan.pending[i]!;
        if (!imageReady(next)) continue;
        if (!pool.prefetch(next.sampleId, specFor(next))) break;
      }
    };
    let records = 0;
    let cancelled = 0;
    let errored = 0;
    let skipped = 0;
    // The budget stops scheduling like a first Ctrl-C, but the samples it stops are recorded as skipped.
    const budget =
      budgetUsd === null
        ? null
        : new RunBudget(budgetUsd, opts.resume ? await recordedCost(runDir) : 0, () => {
            progress.info(
              `budget of $${budgetUsd} reached ($${budget?.spentUsd.toFixed(4)} recorded): no new samples; samples in flight finish`,
            );
            void pool.drain();
          });
    if (budget?.exhausted) {
      progress.info(
        `budget of $${budgetUsd} already reached ($${budget.spentUsd.toFixed(4)} recorded): no sample runs; raise it with --budget`,
      );
    }
    const counted = budget ? budget.counting(writer) : writer;
    const sink = opts.observer ? observedSink(counted, opts.observer) : counted;
    const scheduling = () => !stop.aborted && !budget?.exhausted;
    const onStop = () => {
      queue.clear();
      void pool.drain();
    };
    stop.addEventListener('abort', onStop, { once: true });
    progress.start(plan.pending.length);
    if (plan.alreadyDone > 0) progress.info(`resuming: ${plan.alreadyDone} samples already finished`);
    for (const sample of plan.pending) {
      // Fed as it drains, never the whole suite at once: a queued task (its closure, promise and
      // async context) costs ~1 KB, so 100,000 queued samples alone overflowed a 128 MB heap.
      await roomInQueue(queue, queue.concurrency);
      if (stop.aborted) break;
      void queue.add(async () => {
        if (stop.aborted) return;
        if (budget?.exhausted) {
          const record = skippedRecord(sample, runId, budget.limitUsd);
          skipped += 1;
          writer.sample(record, () => progress.sampleFinished(record));
          return;
        }
        started += 1;
        const record: SampleRecord = await runSample(sample, {
          runId,
          acquireSandbox: async (s, signal) => {
            const taken = await pool.take(s.sampleId, specFor(s), signal);
            if (scheduling()) topUp();
            return taken;
          },
          releaseSandbox: () => {
            pool.release();
            if (scheduling()) topUp();
          },
          model: clients.get(sample.variant.name)!,
          sink,
          costOf,
          promptCacheKey,
          ...(graders ? { graders } : {}),
          abort,
          ...(mcpSandbox && mcpHost
            ? {
                mcpRuntime: (s: Sample) => ({
                  sandbox: sandboxNeedsNode(s) ? mcpSandbox.runtime : null,
                  host: mcpHost,
                }),
              }
            : {}),
          agents,
        });
        // Reported once its line is on disk: what the progress says is finished survives a crash.
        writer.sample(record, () => {
          observeSample(opts.observer, record);
          progress.sampleFinished(record);
        });
        records += 1;
        if (record.status === 'cancelled') cancelled += 1;
        if (record.status === 'error') errored += 1;
        if (record.status === 'error') await watchEngine();
      });
    }
    await queue.onIdle();
    writer.flush(); // the last samples' lines, and their progress lines before the summary
    await pool.drain();
    stop.removeEventListener('abort', onStop);
    progress.stop();

    let status: RunManifest['status'];
    let error: string | null =
      errored > 0 ? `${errored} sample${errored === 1 ? '' : 's'} ended in error (no score)` : null;
    if (haltReason !== null) {
      status = 'failed';
      error = haltReason;
    } else if (opts.stop.aborted || cancelled > 0 || records + skipped < plan.pending.length) {
      status = 'interrupted';
    } else if (skipped > 0) {
      status = 'budget_exhausted';
    } else {
      status = errored > 0 ? 'failed' : 'completed';
    }
    try {
      writer.writeManifest({ ...manifest, status, error, ended_at: new Date().toISOString() });
    } catch (writeError) {
      status = 'failed';
      error = haltReason ?? firstLine(writeError);
    }
    return {
      runId,
      runDir,
      status,
      records,
      alreadyDone: plan.alreadyDone,
      budget: budget ? { limitUsd: budget.limitUsd, spentUsd: budget.spentUsd, skipped } : null,
      errored,
      error,
    };
  } catch (error) {
    writer.flush();
    progress.stop();
    try {
      writer.writeManifest({
        ...manifest,
        status: 'failed',
        error: haltReason ?? firstLine(error),
        ended_at: new Date().toISOString(),
      });
    } catch {
      // the error being thrown says more than this one
    }
    throw error;
  } finally {
    stopLink.unlink();
    abortLink.unlink();
    writer.close();
  }
}
