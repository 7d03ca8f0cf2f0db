export { type Dataset, type DatasetRow, readDataset } from './dataset.js';
export { resolveTaskFiles } from './files.js';
export { resolveLimits } from './limits.js';
export { loadSuite } from './load-suite.js';
export { loadTask } from './load-task.js';
export { type ExpandOptions, expandSamples, sampleIdFor } from './samples.js';
export { placeholdersIn, RUNTIME_PLACEHOLDERS, renderTemplate, type TemplateSource } from './template.js';
export type { DatasetRowRef, LoadedSuite, LoadedTask, Sample, TaskImage, TaskWorkdirFile } from './types.js';
