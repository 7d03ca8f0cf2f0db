import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import PQueue from 'p-queue';
import { costUsd, priceFor } from '../config/pricing.js';
import { createModelClient, resolveEndpoint } from '../model/index.js';
import { expandSamples } from '../tasks/index.js';
import { ResultsWriter } from '../telemetry/index.js';
import { runSample } from './sample-runner.js';
import { startSimForSuite } from './sim-host.js';
import { versions } from './versions.js';
export class RunSetupError extends Error {
    name = 'RunSetupError';
}
function suiteHash(suite, sampleIds) {
    return createHash('sha256')
        .update(JSON.stringify({ spec: suite.spec, tasks: suite.tasks.map((t) => [t.id, t.spec]), sampleIds }))
        .digest('hex')
        .slice(0, 16);
}
function cacheKeyPolicy(runId) {
    return (sample) => {
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
export async function runSuite(opts) {
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
    const clients = new Map();
    try {
        for (const variant of suite.spec.variants) {
            const endpoint = resolveEndpoint(variant, env, sim?.url ?? null);
            clients.set(variant.name, createModelClient(variant, endpoint));
        }
    }
    catch (error) {
        await sim?.close();
        throw error;
    }
    const writer = new ResultsWriter(runDir);
    const startedAt = new Date().toISOString();
    const manifest = {
        schema: 1,
        run_id: runId,
        suite_name: suite.spec.name,
        suite_path: suite.file,
        suite: { spec: suite.spec, tasks: suite.tasks.map((t) => t.id) },
        suite_hash: suiteHash(suite, samples.map((s) => s.sampleId)),
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
        const images = new Map();
        for (const task of suite.tasks) {
            const key = JSON.stringify(task.image);
            if (!images.has(key))
                images.set(key, await opts.sandboxes.ensureImage(task.image, (line) => progress.info(line)));
        }
        const cost = new Map();
        const costOf = (model, usage) => {
            if (!cost.has(model))
                cost.set(model, priceFor(opts.pricing, model));
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
                if (opts.stop.aborted)
                    return;
                const record = await runSample(sample, {
                    runId,
                    sandboxes: opts.sandboxes,
                    imageFor: (s) => images.get(JSON.stringify(s.task.image)) ?? 'missing-image',
                    model: clients.get(sample.variant.name),
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
        const status = opts.stop.aborted || records < samples.length ? 'interrupted' : 'completed';
        writer.writeManifest({ ...manifest, status, ended_at: new Date().toISOString() });
        return { runId, runDir, status, records };
    }
    catch (error) {
        progress.stop();
        if (existsSync(join(runDir, 'run.json'))) {
            writer.writeManifest({ ...manifest, status: 'failed', ended_at: new Date().toISOString() });
        }
        throw error;
    }
    finally {
        writer.close();
        await sim?.close();
    }
}
//# sourceMappingURL=run.js.map