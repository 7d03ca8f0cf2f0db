import type { EventRecord, SampleRecord, TurnRecord } from '../telemetry/index.js';
import type { SpanHandle, TraceEmitter } from './emitter.js';
import {
  gradeSpan,
  type RunInfo,
  sampleSpan,
  type TraceOptions,
  TurnExtrasIndex,
  toolSpan,
  turnSpan,
} from './span-specs.js';

/** The root span of a sample's trace and its graders' spans. */
export function emitSampleRoot(
  emitter: TraceEmitter,
  sample: SampleRecord,
  run: RunInfo,
  options: TraceOptions,
): SpanHandle {
  const root = emitter.span(sampleSpan(sample, run, options));
  for (const grade of sample.grades ?? []) emitter.span(gradeSpan(grade, sample), root);
  return root;
}

/** One sample's whole trace, from its records (a live run has them all when the sample ends). */
export function emitSampleTrace(
  emitter: TraceEmitter,
  run: RunInfo,
  sample: SampleRecord,
  turns: readonly TurnRecord[],
  events: readonly EventRecord[],
  options: TraceOptions,
): void {
  const root = emitSampleRoot(emitter, sample, run, options);
  const extras = new TurnExtrasIndex(options.captureContent);
  for (const event of events) {
    if (event.type === 'tool_call') emitter.span(toolSpan(event), root);
    else extras.add(event);
  }
  for (const turn of turns) emitter.span(turnSpan(turn, extras.for(turn.turn), options), root);
}
