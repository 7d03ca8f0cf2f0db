import type { CompactionConfig } from '../../config/index.js';
import { endpointCompaction } from './endpoint.js';
import { noCompaction } from './none.js';
import { serverCompaction } from './server.js';
import { summaryCompaction } from './summary.js';
import { triggerCompaction } from './trigger.js';
import { truncateCompaction } from './truncate.js';
import type { CompactionPolicy } from './types.js';

export { SUMMARY_PREFIX, SUMMARY_PROMPT } from './summary.js';
export type { CompactionContext, CompactionPolicy, CompactionResult } from './types.js';

export function compactionPolicy(config: CompactionConfig): CompactionPolicy {
  switch (config.policy) {
    case 'none':
      return noCompaction;
    case 'server':
      return serverCompaction(config.threshold);
    case 'endpoint':
      return endpointCompaction(config.threshold);
    case 'trigger':
      return triggerCompaction(config.threshold);
    case 'summary':
      return summaryCompaction(config.threshold);
    case 'truncate':
      return truncateCompaction(config.threshold);
  }
}
