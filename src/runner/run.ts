import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import PQueue from 'p-queue';
import { costUsd, type Pricing, priceFor } from '../config/pricing.js';
import { createModelClient, type ModelClient, resolveEndpoint } from '../model/index.js';
import type { SandboxProvider } from '../sandbox/index.js';
import { expandSamples, type LoadedSuite, type Sample } from '../tasks/index.js';
import { type RunManifest, ResultsWriter, type SampleRecord } from '../telemetry/index.js';
import type { ProgressReporter } from './progress.js';
import { runSample } from './sample-runner.js';
import { startSimForSuite } from './sim-host.js';
import { versions } from './versions.js';

export interface RunOptions {
  suite: LoadedSuite;
  runId: string;
  resultsDir: string;
  concurrency?: number;
  sandboxes: SandboxProvider;
  pricing: Pricing;
  progress: ProgressReporter;
  env?: NodeJS.ProcessEnv;
  /** First abort: stop scheduling and let samples in flight finish. */
  stop: AbortSignal;
  /** Second abort: abort samples in flight. */
  abort: AbortSignal;
}

export interface RunOutcome {
  runId: string;
  runDir: string;
  status: RunManifest['status'];
  records: number;
}

export class RunSetupError extends Error {
  override name = 'RunSetupError';
}

function suiteHash(suite: LoadedSuite, sampleIds: string[]): string {
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

/** Runs every sample of a suite under the concurrency limit and writes the run folder. */
export async function runSuite(opts: RunOptions): Promise<RunOutcome> {
  const { suite, runId, progress } = opts;
  const env = opts.env ?? process.env;
  const runDir = join(opts.resultsDir, runId);
  if (existsSync(join(runDir, 'run.json'))) {
    throw new RunSetupError(`run folder ${runDir} already exists; choose another --run-id`);
  }
  const samples = expandSamples(suite);

  // Fail on provider configuration before any container starts.
  const needsSim = suite.spec.variants.some((v) => v.provider === 'sim');
  const sim = needsSim ? await startSimForSuite(suite) : null;
  const clients = new Map<string, ModelClient>();
  try {
    for (const variant of suite.spec.variants) {
      const endpoint = resolveEndpoint(variant, env, sim?.url ?? null);
      clients.set(variant.name, createModelClient(variant, endpoint));
    }
  } catch (error) {
    await sim?.close();
    throw error;
  }
  const writer = new ResultsWriter(runDir);
  const startedAt = new Date().toISOString();
  const manifest: RunManifest = {
    schema: 1,
    run_id: runId,
    suite_name: suite.spec.name,
    suite_path: suite.file,
    suite: { spec: suite.spec, tasks: suite.tasks.map((t) => t.id) },
    suite_hash: suiteHash(
      suite,
      samples.map((s) => s.sampleId),
    ),
    sample_ids: samples.map((s) => s.sampleId),
    status: 'running',
    started_at: startedAt,
    ended_at: null,
    versions: versions(),
    shard: null,
  };
  try {
    writer.writeManifest(manifest);

    // Images: each distinct one is ensured (built if missing) once, before samples start.
    const images = new Map<string, string>();
    for (const task of suite.tasks) {
      const key = JSON.stringify(task.image);
      if (!images.has(key)) images.set(key, await opts.sandboxes.ensureImage(task.image, (line) => progress.info(line)));
    }

    const cost = new Map<string, ReturnType<typeof priceFor>>();
    const costOf = (model: string, usage: Parameters<typeof costUsd>[1]) => {
      if (!cost.has(model)) cost.set(model, priceFor(opts.pricing, model));
      return costUsd(cost.get(model) ?? null, usage);
    };
    const promptCacheKey = cacheKeyPolicy(runId);
    const sandboxDefaults = {
      memoryMb: suite.spec.sandbox.memory_mb,
      cpus: suite.spec.sandbox.cpus,
      pids: suite.spec.sandbox.pids,
      workdir: suite.spec.sandbox.workdir,
    };

    const queue = new PQueue({ concurrency: opts.concurrency ?? suite.spec.concurrency.samples });
    let records = 0;
    const onStop = () => queue.clear();
    opts.stop.addEventListener('abort', onStop, { once: true });
    progress.start(samples.length);
    for (const sample of samples) {
      void queue.add(async () => {
        if (opts.stop.aborted) return;
        const record: SampleRecord = await runSample(sample, {
          runId,
          sandboxes: opts.sandboxes,
          imageFor: (s) => images.get(JSON.stringify(s.task.image)) ?? 'missing-image',
          model: clients.get(sample.variant.name)!,
          sink: writer,
          costOf,
          promptCacheKey,
          sandboxDefaults,
          abort: opts.abort,
        });
        writer.sample(record);
        records += 1;
        progress.sampleFinished(record);
      });
    }
    await queue.onIdle();
    opts.stop.removeEventListener('abort', onStop);
    progress.stop();
    const status: RunManifest['status'] = opts.stop.aborted || records < samples.length ? 'interrupted' : 'completed';
    writer.writeManifest({ ...manifest, status, ended_at: new Date().toISOString() });
    return { runId, runDir, status, records };
  } catch (error) {
    progress.stop();
    if (existsSync(join(runDir, 'run.json'))) {
      writer.writeManifest({ ...manifest, status: 'failed', ended_at: new Date().toISOString() });
    }
    throw error;
  } finally {
    writer.close();
    await sim?.close();
  }
}
