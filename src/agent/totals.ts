import type { ModelResponse } from '../model/index.js';

/** Running figures for one sample, summed over every model request it made. */
export interface SampleTotals {
  turns: number;
  inputTokens: number;
  /** null once any request's provider did not report the figure (unknown stays unknown). */
  cachedTokens: number | null;
  cacheWriteTokens: number | null;
  outputTokens: number;
  reasoningTokens: number | null;
  /** null once any request's size is unknown (requests read from a session log). */
  bytesSent: number | null;
  toolCalls: number;
  toolErrors: number;
  compactions: number;
  cacheBreaks: number;
  costUsd: number | null;
}

export function emptyTotals(): SampleTotals {
  return {
    turns: 0,
    inputTokens: 0,
    cachedTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    bytesSent: 0,
    toolCalls: 0,
    toolErrors: 0,
    compactions: 0,
    cacheBreaks: 0,
    costUsd: 0,
  };
}

const addKnown = (total: number | null, value: number | null): number | null =>
  total === null || value === null ? null : total + value;

export function addUsage(
  totals: SampleTotals,
  response: Pick<ModelResponse, 'usage'> & { bytesSent: number | null },
  costUsd: number | null,
): void {
  const u = response.usage;
  totals.turns += 1;
  totals.inputTokens += u.inputTokens;
  totals.cachedTokens = addKnown(totals.cachedTokens, u.cachedTokens);
  totals.cacheWriteTokens = addKnown(totals.cacheWriteTokens, u.cacheWriteTokens);
  totals.outputTokens += u.outputTokens;
  totals.reasoningTokens = addKnown(totals.reasoningTokens, u.reasoningTokens);
  totals.bytesSent = addKnown(totals.bytesSent, response.bytesSent);
  totals.costUsd = addKnown(totals.costUsd, costUsd);
}
