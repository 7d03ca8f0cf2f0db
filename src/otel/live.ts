import type { EventRecord, SampleRecord, TurnRecord } from '../telemetry/index.js';
import { type ExportOutcome, startEmitter, type TraceEmitter } from './emitter.js';
import { emitSampleTrace } from './sample-trace.js';
import type { OtelSettings } from './settings.js';
import type { RunInfo } from './span-specs.js';

/**
 * Live export during `run`: a sample's turn and event records are held until its sample record
 * arrives, then its trace is built from them (the same code `export` uses on a finished run) and
 * handed to the batch processor. Memory: the records of the samples in flight.
 */
export class LiveTraceExport {
  /** True once the one warning about a failed export has been given. */
  warned = false;
  private readonly pending = new Map<string, { turns: TurnRecord[]; events: EventRecord[] }>();

  constructor(
    private readonly emitter: TraceEmitter,
    private readonly run: RunInfo,
    private readonly settings: OtelSettings,
  ) {}

  turn(record: TurnRecord): void {
    this.records(record.sample_id).turns.push(record);
  }

  event(record: EventRecord): void {
    this.records(record.sample_id).events.push(record);
  }

  sample(record: SampleRecord): void {
    const own = this.pending.get(record.sample_id) ?? { turns: [], events: [] };
    this.pending.delete(record.sample_id);
    emitSampleTrace(this.emitter, this.run, record, own.turns, own.events, {
      captureContent: this.settings.captureContent,
    });
  }

  /** Flushes what is queued and stops the exporter, within the export timeout. */
  close(): Promise<ExportOutcome> {
    this.pending.clear();
    return this.emitter.shutdown();
  }

  private records(sampleId: string) {
    let own = this.pending.get(sampleId);
    if (!own) {
      own = { turns: [], events: [] };
      this.pending.set(sampleId, own);
    }
    return own;
  }
}

export async function startLiveExport(
  settings: OtelSettings,
  run: RunInfo,
  warn: (line: string) => void,
): Promise<LiveTraceExport> {
  let live: LiveTraceExport | null = null;
  const emitter = await startEmitter(settings, {
    onFirstFailure: (message) => {
      if (live) live.warned = true;
      warn(
        `warning: OpenTelemetry export to ${settings.target} failed (${message}); the run goes on without it`,
      );
    },
  });
  live = new LiveTraceExport(emitter, run, settings);
  return live;
}
