import type { Readable } from 'node:stream';
import { loadPricing, type Pricing } from '../config/index.js';
import type { EventRecord, SampleRecord, TurnRecord } from '../telemetry/index.js';
import { RunBuilder } from './build-run.js';
import { readCodexRollout } from './codex/read.js';
import type { GroupBy } from './group-by.js';

export interface InMemoryIngest {
  turns: TurnRecord[];
  events: EventRecord[];
  samples: SampleRecord[];
  warnings: string[];
}

/**
 * One Codex rollout to records in memory: for cross-checking a run against the log Codex kept
 * beside it (the same totals, the same cache findings). Holds every record of the file, so it is
 * meant for one session's log; `ingestLogs` streams to a run folder instead.
 */
export async function ingestCodexRollout(
  source: string | Readable,
  options: { file?: string; runId?: string; groupBy?: GroupBy; pricing?: Pricing } = {},
): Promise<InMemoryIngest> {
  const out: InMemoryIngest = { turns: [], events: [], samples: [], warnings: [] };
  const builder = new RunBuilder({
    runId: options.runId ?? 'ingest',
    groupBy: options.groupBy ?? 'session',
    range: { from: null, to: null },
    pricing: options.pricing ?? (await loadPricing()),
    sink: {
      turn: (r) => out.turns.push(r),
      event: (r) => out.events.push(r),
      sample: (r) => out.samples.push(r),
    },
    warn: (message) => out.warnings.push(message),
  });
  for await (const event of readCodexRollout(source, options.file ? { file: options.file } : {}))
    builder.accept(event);
  builder.finish();
  return out;
}
