export { BarProgress, LineProgress, type ProgressReporter, progressFor } from './progress.js';
export { newRunId, RUN_ID_PATTERN } from './run-id.js';
export { type RunOptions, type RunOutcome, RunSetupError, runSuite } from './run.js';
export { runSample, type SampleRunDeps } from './sample-runner.js';
