import type { CacheSettings } from '../cache/model.js';
import type { ResponsesCompactBody, ResponsesCreateBody } from './schema.js';

function formatKey(format: unknown): string | null {
  if (format === undefined || format === null) return null;
  if (typeof format === 'object' && (format as { type?: unknown }).type === 'text') return null;
  return JSON.stringify(format);
}

export function cacheSettings(body: ResponsesCreateBody | ResponsesCompactBody): CacheSettings {
  const create = body as ResponsesCreateBody;
  return {
    model: body.model,
    promptCacheKey: body.prompt_cache_key ?? null,
    retention: body.prompt_cache_retention ?? null,
    ttl: body.prompt_cache_options?.ttl,
    mode: body.prompt_cache_options?.mode ?? 'implicit',
    reasoningEffort: create.reasoning?.effort ?? null,
    textFormat: formatKey(create.text?.format),
    verbosity: create.text?.verbosity ?? null,
    serviceTier: create.service_tier ?? null,
  };
}
