import PQueue from 'p-queue';
import type {
  AttemptOutcome,
  CallOptions,
  ModelClient,
  ModelRequest,
  ModelResponse,
} from '../model/index.js';
import { AdaptiveLimiter, type AdaptiveSettings } from './adaptive-limit.js';

/** Budgets for one provider endpoint, shared by every variant that uses it. */
export interface ProviderLimits {
  /** Model requests in flight at once. */
  concurrency?: number;
  /** Requests started per minute. */
  rpm?: number;
  /** Tokens (input + output) per minute; a request is estimated before, corrected after. */
  tpm?: number;
  /** Adapt the requests in flight between a floor and `concurrency` (the ceiling), per attempt. */
  adaptive?: Omit<AdaptiveSettings, 'ceiling'>;
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
  adaptive: AdaptiveLimiter | null;
}

const limiters = new Map<string, Limiter>();

/** The endpoint as recorded in events: a URL's user and password never are. */
function withoutCredentials(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return endpoint;
  }
}

function limiterFor(key: string, limits: ProviderLimits): Limiter {
  let limiter = limiters.get(key);
  if (!limiter) {
    const adaptive =
      limits.adaptive && limits.concurrency
        ? new AdaptiveLimiter(withoutCredentials(key), { ...limits.adaptive, ceiling: limits.concurrency })
        : null;
    limiter = {
      queue: new PQueue({
        // An adaptive limiter counts attempts itself; the queue then only paces the RPM.
        concurrency: adaptive ? Number.POSITIVE_INFINITY : (limits.concurrency ?? Number.POSITIVE_INFINITY),
        ...(limits.rpm ? { intervalCap: limits.rpm, interval: WINDOW_MS } : {}),
      }),
      budget: limits.tpm ? new TokenBudget(limits.tpm) : null,
      adaptive,
    };
    limiters.set(key, limiter);
  }
  return limiter;
}

/** See `requestGate`. */
export type RequestGate = <T>(
  estimate: () => number,
  signal: AbortSignal | undefined,
  send: () => Promise<{ value: T; tokens: number | null; outcome: AttemptOutcome }>,
) => Promise<T>;

/**
 * Runs one request another way than through a ModelClient (the recording proxy forwarding an
 * agent's request) within the endpoint's budgets: a slot of its concurrency (fixed or adaptive,
 * told how the attempt went), its requests per minute, and room in its tokens per minute for
 * `estimate` (asked only under a token budget; corrected to the tokens `send` reports).
 * Null when the endpoint has no budgets.
 */
export function requestGate(endpointKey: string, limits?: ProviderLimits): RequestGate | null {
  if (!limits || (!limits.concurrency && !limits.rpm && !limits.tpm)) return null;
  if (limits.adaptive && !limits.concurrency)
    throw new Error('adaptive concurrency needs a ceiling (requests)');
  const limiter = limiterFor(endpointKey, limits);
  return (estimate, signal, send) =>
    limiter.queue.add(
      async () => {
        const tokens = limiter.budget ? estimate() : 0;
        if (limiter.budget) {
          for (let wait = limiter.budget.waitFor(tokens); wait > 0; wait = limiter.budget.waitFor(tokens)) {
            await sleep(wait, signal);
          }
        }
        const slot = limiter.adaptive ? await limiter.adaptive.admit(signal) : null;
        const spend = limiter.budget?.record(tokens);
        try {
          const result = await send();
          if (result.tokens !== null) spend?.correct(result.tokens);
          slot?.done(result.outcome);
          return result.value;
        } catch (error) {
          slot?.done({ ok: false, status: null, retryAfterMs: null });
          throw error;
        }
      },
      { signal },
    );
}

/** Wraps a client so its requests respect the endpoint's concurrency, RPM and TPM budgets. */
export function limitModelClient(
  client: ModelClient,
  endpointKey: string,
  limits?: ProviderLimits,
): ModelClient {
  if (!limits || (!limits.concurrency && !limits.rpm && !limits.tpm)) return client;
  if (limits.adaptive && !limits.concurrency)
    throw new Error('adaptive concurrency needs a ceiling (requests)');
  const limiter = limiterFor(endpointKey, limits);
  const adaptive = limiter.adaptive;
  const withAdmission = (opts: CallOptions): CallOptions =>
    adaptive ? { ...opts, admit: (signal) => adaptive.admit(signal, opts.onConcurrency) } : opts;
  const respond = async (req: ModelRequest, callOpts: CallOptions = {}): Promise<ModelResponse> => {
    const opts = withAdmission(callOpts);
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
  const compact = client.compact?.bind(client);
  return {
    provider: client.provider,
    api: client.api,
    respond,
    ...(compact ? { compact: (req, opts = {}) => compact(req, withAdmission(opts)) } : {}),
    ...(client.close ? { close: client.close.bind(client) } : {}),
  };
}

/** For tests: forget shared limiters. */
export function resetLimiters(): void {
  limiters.clear();
}
