import PQueue from 'p-queue';
import type { CallOptions, ModelClient, ModelRequest, ModelResponse } from '../model/index.js';

/** Budgets for one provider endpoint, shared by every variant that uses it. */
export interface ProviderLimits {
  /** Model requests in flight at once. */
  concurrency?: number;
  /** Requests started per minute. */
  rpm?: number;
  /** Tokens (input + output) per minute; a request is estimated before, corrected after. */
  tpm?: number;
}

const WINDOW_MS = 60_000;

/** Sliding one-minute window of token spend. */
export class TokenBudget {
  private readonly spent: Array<{ at: number; tokens: number }> = [];
  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  private used(at: number): number {
    while (this.spent.length > 0 && this.spent[0]!.at <= at - WINDOW_MS) this.spent.shift();
    return this.spent.reduce((sum, e) => sum + e.tokens, 0);
  }

  /** Milliseconds to wait before `tokens` fit (0 when they fit now; never blocks an empty window). */
  waitFor(tokens: number): number {
    const at = this.now();
    let used = this.used(at);
    if (used + tokens <= this.perMinute || this.spent.length === 0) return 0;
    for (const entry of this.spent) {
      used -= entry.tokens;
      if (used + tokens <= this.perMinute) return entry.at + WINDOW_MS - at;
    }
    return 0;
  }

  record(tokens: number): { correct(actual: number): void } {
    const entry = { at: this.now(), tokens };
    this.spent.push(entry);
    return {
      correct: (actual) => {
        entry.tokens = actual;
      },
    };
  }
}

function estimateTokens(req: ModelRequest): number {
  // ~4 bytes per token for JSON-ish English text; corrected with the reported usage afterwards.
  return Math.ceil(Buffer.byteLength(JSON.stringify(req.input)) / 4) + (req.maxOutputTokens ?? 1024);
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

interface Limiter {
  queue: PQueue;
  budget: TokenBudget | null;
}

const limiters = new Map<string, Limiter>();

function limiterFor(key: string, limits: ProviderLimits): Limiter {
  let limiter = limiters.get(key);
  if (!limiter) {
    limiter = {
      queue: new PQueue({
        concurrency: limits.concurrency ?? Number.POSITIVE_INFINITY,
        ...(limits.rpm ? { intervalCap: limits.rpm, interval: WINDOW_MS } : {}),
      }),
      budget: limits.tpm ? new TokenBudget(limits.tpm) : null,
    };
    limiters.set(key, limiter);
  }
  return limiter;
}

/** Wraps a client so its requests respect the endpoint's concurrency, RPM and TPM budgets. */
export function limitModelClient(
  client: ModelClient,
  endpointKey: string,
  limits?: ProviderLimits,
): ModelClient {
  if (!limits || (!limits.concurrency && !limits.rpm && !limits.tpm)) return client;
  const limiter = limiterFor(endpointKey, limits);
  const respond = async (req: ModelRequest, opts: CallOptions = {}): Promise<ModelResponse> => {
    // Only a token budget needs the estimate (it walks the whole history).
    const estimate = limiter.budget ? estimateTokens(req) : 0;
    const response = await limiter.queue.add(
      async () => {
        if (limiter.budget) {
          for (
            let wait = limiter.budget.waitFor(estimate);
            wait > 0;
            wait = limiter.budget.waitFor(estimate)
          ) {
            await sleep(wait, opts.signal);
          }
        }
        const spend = limiter.budget?.record(estimate);
        const result = await client.respond(req, opts);
        spend?.correct(result.usage.inputTokens + result.usage.outputTokens);
        return result;
      },
      { signal: opts.signal },
    );
    return response;
  };
  return {
    provider: client.provider,
    api: client.api,
    respond,
    ...(client.compact ? { compact: client.compact.bind(client) } : {}),
    ...(client.close ? { close: client.close.bind(client) } : {}),
  };
}

/** For tests: forget shared limiters. */
export function resetLimiters(): void {
  limiters.clear();
}
