/**
 * A report of a run another process still writes (it holds the run's lock): its figures cover the
 * samples that had a result when the report read the files, and it is written apart from the run's
 * own files (PARTIAL_REPORT_DIR), so it never stands where the final report belongs.
 */
export interface InProgress {
  /** The command holding the run (`run --run-id X`, `run --resume X`, ...) and its process. */
  writer: string;
  pid: number;
  /** Samples with a record when the report read the run, of the samples the run plans. */
  samples_with_result: number;
  samples_planned: number;
  /** When the report read the run (ISO 8601). */
  read_at: string;
}

/** Where `report` writes a live run's report by default: a folder of the run that the run never writes. */
export const PARTIAL_REPORT_DIR = 'partial-report';

/** One sentence for people: who writes the run, how much of it the report covers, and when. */
export function describeInProgress(p: InProgress): string {
  return (
    `the run is still in progress (\`${p.writer}\`, pid ${p.pid}): ` +
    `${p.samples_with_result} of ${p.samples_planned} samples had a result at ${p.read_at}, ` +
    'and every figure covers those only'
  );
}
