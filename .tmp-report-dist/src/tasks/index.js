export { readDataset } from './dataset.js';
export { resolveTaskFiles } from './files.js';
export { resolveLimits } from './limits.js';
export { loadSuite } from './load-suite.js';
export { loadTask } from './load-task.js';
export { expandSamples, sampleIdFor } from './samples.js';
export { placeholdersIn, RUNTIME_PLACEHOLDERS, renderTemplate } from './template.js';
//# sourceMappingURL=index.js.map