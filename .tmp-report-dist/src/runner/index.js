export { BarProgress, LineProgress, progressFor } from './progress.js';
export { newRunId, RUN_ID_PATTERN } from './run-id.js';
export { RunSetupError, runSuite } from './run.js';
export { runSample } from './sample-runner.js';
//# sourceMappingURL=index.js.map