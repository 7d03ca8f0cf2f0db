export { checkSandboxLimits } from './check-limits.js';
export { ImageUnavailableError } from './images.js';
export { MergeError, type MergeResult, mergeRuns } from './merge.js';
export { limitModelClient, type ProviderLimits, TokenBudget } from './model-limits.js';
export { observedSink, type RunObserver } from './observer.js';
export { BarProgress, LineProgress, type ProgressReporter, progressFor } from './progress.js';
export { dropUnfinishedRecords, finishedSampleIds, ResumeError, readRunManifest } from './resume.js';
export {
  type RunOptions,
  type RunOutcome,
  RunSetupError,
  runSuite,
  type Selection,
  suiteHash,
} from './run.js';
export { newRunId, RUN_ID_PATTERN } from './run-id.js';
export {
  acquireRunLock,
  liveRunOwner,
  OWNER_DIR,
  ownerAlive,
  type RunLock,
  RunLockedError,
  type RunOwner,
} from './run-lock.js';
export { runSample, type SampleRunDeps } from './sample-runner.js';
export { type Shard, ShardSchema, shardSamples } from './shard.js';
export { versions } from './versions.js';
