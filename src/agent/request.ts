import type { VariantSpec } from '../config/index.js';
import type { ModelRequest } from '../model/index.js';
import type { TurnShape } from './perturb.js';

/**
 * The logical request of a turn: the whole prompt (instructions, tools, every item), whatever the
 * wire mode. Prefix forensics always compare logical requests.
 */
export function logicalRequest(
  variant: VariantSpec,
  shape: TurnShape,
  instructions: string,
  opts: {
    serverCompactThreshold: number | undefined;
    comparisonResponseId: string | null;
    /** Ask for encrypted reasoning, to carry it in the history (stateless mode on a reasoning model). */
    encryptedReasoning?: boolean;
  },
): ModelRequest {
  return {
    model: shape.model,
    instructions,
    tools: shape.tools,
    input: shape.items,
    store: variant.mode === 'previous_response_id',
    parallelToolCalls: variant.parallel_tool_calls,
    ...(shape.promptCacheKey ? { promptCacheKey: shape.promptCacheKey } : {}),
    ...(variant.prompt_cache_retention ? { promptCacheRetention: variant.prompt_cache_retention } : {}),
    ...(variant.prompt_cache_options?.mode ? { promptCacheMode: variant.prompt_cache_options.mode } : {}),
    ...(variant.prompt_cache_options?.ttl ? { promptCacheTtl: variant.prompt_cache_options.ttl } : {}),
    ...(shape.reasoningEffort ? { reasoningEffort: shape.reasoningEffort } : {}),
    ...(opts.encryptedReasoning ? { includeEncryptedReasoning: true } : {}),
    ...(variant.max_output_tokens ? { maxOutputTokens: variant.max_output_tokens } : {}),
    ...(opts.serverCompactThreshold ? { compactThreshold: opts.serverCompactThreshold } : {}),
    ...(variant.cache_diagnostics && opts.comparisonResponseId
      ? { comparisonResponseId: opts.comparisonResponseId }
      : {}),
  };
}

/** What goes on the wire: in previous_response_id mode only the items the server has not seen. */
export function wireRequest(
  logical: ModelRequest,
  mode: VariantSpec['mode'],
  sentUpTo: number,
  lastResponseId: string | null,
): ModelRequest {
  if (mode !== 'previous_response_id' || !lastResponseId) return logical;
  return { ...logical, input: logical.input.slice(sentUpTo), previousResponseId: lastResponseId };
}
