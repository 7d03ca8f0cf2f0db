import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import PQueue from 'p-queue';
import { AgentRuntime } from '../agents/index.js';
import { costUsd, type Pricing, priceFor } from '../config/index.js';
import {
  createModelClient,
  type ModelClient,
  type ProviderEndpoint,
  resolveEndpoint,
} from '../model/index.js';
import type { SandboxProvider } from '../sandbox/index.js';
import { registerSecretsFromEnv } from '../secrets/index.js';
import { expandSamples, type LoadedSuite, type Sample } from '../tasks/index.js';
import { ResultsWriter, type RunManifest, type SampleRecord } from '../telemetry/index.js';
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
import {
  dropUnfinishedRecords,
  dropUnfinishedSampleFolders,
  finishedSampleIds,
  ResumeError,
  readRunManifest,
} from './resume.js';
import { runSample, sandboxSpecFor } from './sample-runner.js';
import { type Shard, shardSamples } from './shard.js';
import { startSimForSuite } from './sim-host.js';
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
      versions: versions(),
      selection: selection ?? null,
      resumed_at: [...previous.resumed_at, new Date().toISOString()],
      owner: { pid: process.pid, host: hostname() },
    },
  };
}

/** Runs every sample of a suite under the concurrency limits and writes the run folder. */
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
  const sim = needsSim ? await startSimForSuite(suite) : null;
  const prices = new Map<string, ReturnType<typeof priceFor>>();
  const costOf = (model: string, usage: Parameters<typeof costUsd>[1]) => {
    if (!prices.has(model)) prices.set(model, priceFor(opts.pricing, model));
    return costUsd(prices.get(model) ?? null, usage);
  };
  const clients = new Map<string, ModelClient>();
  let graders: GraderPool | null = null;
  const endpoints = new Map<string, ProviderEndpoint>();
  let plan: RunPlan;
  let agents: AgentRuntime | null = null;
  let images: PreparedImages;
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
    if (graderSpecs.length > 0) graders = new GraderPool(suite.tasks, env, sim?.url ?? null, costOf);
    const agentVariants = suite.spec.variants.filter((v) => v.agent.type !== 'builtin');
    if (agentVariants.length > 0) {
      const problem = agentEngineProblem(suite, opts.sandboxes, env);
      if (problem) throw new RunSetupError(`variant ${agentVariants[0]!.name}: ${problem}`);
    }
    plan = await planRun(opts, runDir);
    const unbuilt = missingBundles(plan.pending);
    if (unbuilt) throw new RunSetupError(unbuilt);
    const unpriced = budgetUsd !== null ? unpricedModel(suite.spec, opts.pricing) : null;
    if (unpriced) {
      throw new RunSetupError(
        `a run budget needs a price for every model: variant "${unpriced.variant}" uses "${unpriced.model}", which has none (add it with --pricing FILE)`,
      );
    }
    // Before the run folder exists: an image that is not there is bad input (exit 2).
    images = await prepareImages(suite, opts.sandboxes, progress);
    if (agentVariants.length > 0) {
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
  } catch (error) {
    for (const client of clients.values()) client.close?.();
    await agents?.close();
    await sim?.close();
    throw error;
  }

  const writer = new ResultsWriter(runDir);
  const manifest = plan.manifest;
  try {
    writer.writeManifest(manifest);

    const promptCacheKey = cacheKeyPolicy(runId);
    const sandboxDefaults = {
      memoryMb: suite.spec.sandbox.memory_mb,
      cpus: suite.spec.sandbox.cpus,
      pids: suite.spec.sandbox.pids,
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
    const scheduling = () => !opts.stop.aborted && !budget?.exhausted;
    const onStop = () => {
      queue.clear();
      void pool.drain();
    };
    opts.stop.addEventListener('abort', onStop, { once: true });
    progress.start(plan.pending.length);
    if (plan.alreadyDone > 0) progress.info(`resuming: ${plan.alreadyDone} samples already finished`);
    for (const sample of plan.pending) {
      void queue.add(async () => {
        if (opts.stop.aborted) return;
        if (budget?.exhausted) {
          const record = skippedRecord(sample, runId, budget.limitUsd);
          writer.sample(record);
          skipped += 1;
          progress.sampleFinished(record);
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
          abort: opts.abort,
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
        writer.sample(record);
        observeSample(opts.observer, record);
        records += 1;
        if (record.status === 'cancelled') cancelled += 1;
        progress.sampleFinished(record);
      });
    }
    await queue.onIdle();
    await pool.drain();
    opts.stop.removeEventListener('abort', onStop);
    progress.stop();
    const complete = records === plan.pending.length && cancelled === 0 && !opts.stop.aborted;
    let status: RunManifest['status'] = complete ? 'completed' : 'interrupted';
    if (skipped > 0 && !opts.stop.aborted) status = 'budget_exhausted';
    writer.writeManifest({ ...manifest, status, ended_at: new Date().toISOString() });
    return {
      runId,
      runDir,
      status,
      records,
      alreadyDone: plan.alreadyDone,
      budget: budget ? { limitUsd: budget.limitUsd, spentUsd: budget.spentUsd, skipped } : null,
    };
  } catch (error) {
    progress.stop();
    writer.writeManifest({ ...manifest, status: 'failed', ended_at: new Date().toISOString() });
    throw error;
  } finally {
    writer.close();
    for (const client of clients.values()) client.close?.();
    await agents?.close();
    await sim?.close();
  }
}
