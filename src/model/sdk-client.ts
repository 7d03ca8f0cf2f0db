import OpenAI from 'openai';
import { withRetries } from './retry.js';
import type { CallOptions, ModelClient, ModelRequest, ModelResponse } from './types.js';

export interface ClientOptions {
  baseURL: string;
  apiKey: string;
  provider: string;
  /** Extra headers on every request (e.g. per-variant sim options). Never recorded. */
  headers?: Record<string, string>;
  requestTimeoutMs?: number;
}

export type OneAttempt = Omit<ModelResponse, 'bytesSent' | 'retries'>;

/**
 * What both API clients share: the SDK client (SDK retries off: ours are recorded) and
 * `respond` = build the body, stream one attempt, retry.
 */
export abstract class SdkModelClient<Body> implements ModelClient {
  abstract readonly api: ModelClient['api'];
  readonly provider: string;
  protected readonly client: OpenAI;

  constructor(opts: ClientOptions) {
    this.provider = opts.provider;
    this.client = new OpenAI({
      baseURL: opts.baseURL,
      apiKey: opts.apiKey,
      maxRetries: 0,
      timeout: opts.requestTimeoutMs ?? 600_000,
      defaultHeaders: opts.headers,
    });
  }

  protected abstract body(req: ModelRequest): Body;
  protected abstract streamOnce(body: Body, signal: AbortSignal | undefined): Promise<OneAttempt>;

  async respond(req: ModelRequest, call: CallOptions = {}): Promise<ModelResponse> {
    const body = this.body(req);
    const bytesSent = Buffer.byteLength(JSON.stringify(body));
    const { value, retries } = await withRetries(() => this.streamOnce(body, call.signal), {
      signal: call.signal,
      onRetry: call.onRetry,
    });
    return { ...value, bytesSent, retries };
  }
}
