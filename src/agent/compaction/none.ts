import type { CompactionPolicy } from './types.js';

export const noCompaction: CompactionPolicy = {
  name: 'none',
  serverThreshold: undefined,
  afterTurn: async () => null,
};
