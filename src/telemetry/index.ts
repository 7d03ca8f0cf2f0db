export {
  type CacheRules,
  cacheRetentionMsFor,
  cacheRulesFor,
  classifyTurn,
  expectedCachedTokens,
  hitTolerance,
  roundToCacheRules,
} from './cache-class.js';
export { ensureDir, FolderError } from './ensure-dir.js';
export { hashList, hashText, hashValue } from './hash.js';
export { JsonlAppender, ResultsWriteError, repairTornTail, writeErrorOf } from './jsonl-file.js';
export {
  type CacheSettings,
  checkPrefix,
  fingerprintPrompt,
  fingerprintRequest,
  type PromptFingerprint,
  type PromptHead,
} from './prefix.js';
export { fingerprintItems, type ItemFingerprints, outputItemsAsInput } from './prefix-items.js';
export { countO200kTokens, type TokenCounter, TokenMemo } from './prefix-tokens.js';
export { CacheForensics, type TurnForensics } from './prefix-tracker.js';
export { describePromptChange } from './prompt-diff.js';
export * from './records.js';
export { renderedChatMessage, renderedItems, renderedResponsesItem } from './rendered-items.js';
export { RESERVE_FILE, type RecordSink, ResultsWriter } from './results-writer.js';
export { type TrackerIdentity, type TurnResponse, TurnTracker } from './turn-tracker.js';
