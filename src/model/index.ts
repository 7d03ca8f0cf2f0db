import { timerDelay, type VariantSpec } from '../config/index.js';
import { ChatClient } from './chat-client.js';
import { ResponsesClient } from './responses-client.js';
import type { ModelClient } from './types.js';

export { ChatClient, chatBody } from './chat-client.js';
export { toChatMessages, toChatTools } from './chat-messages.js';
export { GradeClient, type GradeEndpoint, type GradeRequest, type GradeResponse } from './grade-client.js';
export { type LinkedAbort, linkedAbort } from './linked-abort.js';
export { modelReasons } from './reasoning.js';
export { ResponsesClient, responsesBody } from './responses-client.js';
export {
  DEFAULT_RETRY_POLICY,
  isRetryable,
  retryAfterMs,
  StreamCutError,
  StreamStalledError,
  withRetries,
} from './retry.js';
export type * from './types.js';
export { normaliseChatUsage, normaliseResponsesUsage, UsageError, ZERO_USAGE } from './usage.js';

export class ProviderConfigError extends Error {
  override name = 'ProviderConfigError';
}

export interface ProviderEndpoint {
  baseURL: string;
  apiKey: string;
  headers?: Record<string, string>;
}

/**
 * Where a variant's requests go. `sim` gets the in-process server's URL; `openai` reads the
 * key from the environment variable the variant names (the key itself is never stored).
 */
export function resolveEndpoint(
  variant: Pick<VariantSpec, 'name' | 'provider' | 'api_key_env' | 'base_url' | 'sim'>,
  env: NodeJS.ProcessEnv,
  simBaseURL: string | null,
  /** Who needs the endpoint, for the error message (a model scorer is not a variant). */
  label = `variant "${variant.name}"`,
): ProviderEndpoint {
  if (variant.provider === 'sim') {
    if (!simBaseURL)
      throw new ProviderConfigError('the sim provider needs the built-in server, which is not running');
    const headers: Record<string, string> = {};
    if (variant.sim) headers['x-turnbench-sim-options'] = JSON.stringify(variant.sim);
    return { baseURL: simBaseURL, apiKey: 'sim', headers };
  }
  const apiKey = env[variant.api_key_env];
  if (!apiKey) {
    throw new ProviderConfigError(`${label}: provider openai needs an API key in $${variant.api_key_env}`);
  }
  const baseURL = variant.base_url ?? env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1';
  return { baseURL, apiKey };
}

export function createModelClient(variant: VariantSpec, endpoint: ProviderEndpoint): ModelClient {
  const options = {
    ...endpoint,
    provider: variant.provider,
    requestTimeoutMs: timerDelay(variant.request_timeout_s * 1000),
    transport: variant.transport,
  };
  return variant.api === 'chat' ? new ChatClient(options) : new ResponsesClient(options);
}
