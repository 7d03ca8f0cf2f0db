export * from './records.js';
export { ResultsWriter } from './results-writer.js';
export { JsonlAppender, repairTornTail } from './jsonl-file.js';
export { TurnTracker } from './turn-tracker.js';
export { CacheForensics } from './prefix-tracker.js';
export { outputItemsAsInput } from './prefix-items.js';
export { checkPrefix, fingerprintRequest } from './prefix.js';
export { cacheRulesFor, classifyTurn, expectedCachedTokens } from './cache-class.js';
export { hashValue } from './hash.js';
export { countO200kTokens } from './prefix-tokens.js';
export { describePromptChange } from './prompt-diff.js';
//# sourceMappingURL=index.js.map