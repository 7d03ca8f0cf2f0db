import { userMessage } from '../prompt.js';
import { type CompactionPolicy, leadingMessages, sendClosingItem } from './types.js';

export const SUMMARY_PROMPT =
  'Summarize the conversation so far for a continuation: the task, what has been done, ' +
  'the current state of the files, and what remains. Be concise and concrete.';

export const SUMMARY_PREFIX = 'Summary of the work so far (earlier turns were compacted):\n';

/** Local compaction for providers with neither server-side nor endpoint compaction. */
export function summaryCompaction(threshold: number): CompactionPolicy {
  return {
    name: 'summary',
    serverThreshold: undefined,
    async afterTurn({ items, lastInputTokens }, ctx) {
      if (lastInputTokens < threshold) return null;
      const response = await sendClosingItem(ctx, items, userMessage(SUMMARY_PROMPT), 'summary');
      const text = response.output
        .flatMap((item) => (item.type === 'message' ? item.content : []))
        .map((part) => (part.type === 'output_text' ? part.text : ''))
        .join('')
        .trim();
      if (!text) throw new Error('summary compaction: the model returned no text');
      const compacted = [...leadingMessages(items), userMessage(SUMMARY_PREFIX + text)];
      return {
        method: 'summary',
        items: compacted,
        tokensBefore: lastInputTokens,
        tokensAfter: ctx.countTokens(compacted),
        latencyMs: response.latencyMs,
        usage: response.usage,
      };
    },
  };
}
