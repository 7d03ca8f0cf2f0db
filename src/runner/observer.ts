import type { EventRecord, RecordSink, SampleRecord, TurnRecord } from '../telemetry/index.js';

/**
 * Sees every record as it is written (live OpenTelemetry export). An observer that throws is
 * ignored: watching a run must never break it.
 */
export interface RunObserver {
  turn(record: TurnRecord): void;
  event(record: EventRecord): void;
  sample(record: SampleRecord): void;
}

function quietly(call: () => void): void {
  try {
    call();
  } catch {
    // an observer's failure is its own; the records are already written
  }
}

/** The results sink, followed by the observer. */
export function observedSink(sink: RecordSink, observer: RunObserver): RecordSink {
  return {
    turn(record) {
      sink.turn(record);
      quietly(() => observer.turn(record));
    },
    event(record) {
      sink.event(record);
      quietly(() => observer.event(record));
    },
  };
}

export function observeSample(observer: RunObserver | undefined, record: SampleRecord): void {
  if (observer) quietly(() => observer.sample(record));
}
