import { join } from 'node:path';
import { RUN_FILES, readJsonl, readManifest, readSamples } from '../report/index.js';
import { EventRecordSchema, TurnRecordSchema } from '../telemetry/index.js';
import { type ExportOutcome, type SpanHandle, startEmitter } from './emitter.js';
import { runInfoFrom } from './run-info.js';
import { emitSampleRoot } from './sample-trace.js';
import type { OtelSettings } from './settings.js';
import { TurnExtrasIndex, toolSpan, turnSpan } from './span-specs.js';

export interface RunExport extends ExportOutcome {
  samples: number;
  spans: number;
}

/** Spans queued between two waits for the exporter, well under the processor's queue. */
const FLUSH_EVERY = 2048;

/**
 * `turnbench export <run> --otel`: the traces of a finished run (built-in, agent or ingested),
 * from its files. Three streaming passes (samples, events, turns), so memory holds one small
 * handle per sample and the compaction/retry notes, not the run's turns.
 */
export async function exportRunTraces(runDir: string, settings: OtelSettings): Promise<RunExport> {
  const manifest = readManifest(runDir);
  const run = runInfoFrom(manifest.run_id, manifest.suite_name, manifest.suite, manifest.source);
  const options = { captureContent: settings.captureContent };
  const { samples } = await readSamples(runDir);
  const emitter = await startEmitter(settings);
  let flushedAt = 0;
  const pace = async () => {
    if (emitter.created - flushedAt < FLUSH_EVERY) return;
    flushedAt = emitter.created;
    await emitter.flush();
  };

  const roots = new Map<string, SpanHandle>();
  for (const sample of samples.values()) {
    // A sample skipped by the run's budget never ran: it has no trace.
    if (sample.status === 'skipped') continue;
    roots.set(sample.sample_id, emitSampleRoot(emitter, sample, run, options));
    await pace();
  }
  const extras = new Map<string, TurnExtrasIndex>();
  // Records of samples without a sample record (in flight at a crash) are left out, as in reports.
  await readJsonl(join(runDir, RUN_FILES.events), EventRecordSchema, async (event) => {
    const root = roots.get(event.sample_id);
    if (!root) return;
    if (event.type === 'tool_call') {
      emitter.span(toolSpan(event), root);
      await pace();
      return;
    }
    let index = extras.get(event.sample_id);
    if (!index) {
      index = new TurnExtrasIndex(settings.captureContent);
      extras.set(event.sample_id, index);
    }
    index.add(event);
  });
  await readJsonl(join(runDir, RUN_FILES.turns), TurnRecordSchema, async (turn) => {
    const root = roots.get(turn.sample_id);
    if (!root) return;
    emitter.span(turnSpan(turn, extras.get(turn.sample_id)?.for(turn.turn), options), root);
    await pace();
  });
  const outcome = await emitter.shutdown();
  return { ...outcome, samples: roots.size, spans: emitter.created };
}
