import { FaultInjector } from './behaviour/faults.js';
import type { EffectiveOptions } from './behaviour/options.js';
import { RequestRateLimit } from './behaviour/rate-limit.js';
import { FingerprintStore } from './cache/diagnostics.js';
import { CacheModel } from './cache/model.js';
import type { PacedEvent, StreamPlan } from './http/sse.js';
import type { ResponseSession } from './responses/session.js';
import { ResponseStore } from './responses/store.js';
import { SimScriptRegistry } from './script/registry.js';
import { TokenCache } from './tokens/token-cache.js';

/** Everything a request handler needs; one per server (shared by all variants). */
export interface SimContext {
  tokens: TokenCache;
  cache: CacheModel;
  fingerprints: FingerprintStore;
  responses: ResponseStore;
  registry: SimScriptRegistry;
  faults: FaultInjector;
  defaults: EffectiveOptions;
  now: () => number;
  /** The server-wide request bucket of the `requests_per_s` fault. */
  rateLimit: RequestRateLimit;
}

export interface ContextOptions {
  defaults: EffectiveOptions;
  now?: () => number;
  capacityTokens?: number;
  defaultTtlMs?: number;
  /** false = re-tokenise everything on every request (the benchmark's baseline). */
  tokenCache?: boolean;
}

export function createContext(o: ContextOptions): SimContext {
  const now = o.now ?? Date.now;
  const tokens = new TokenCache(20_000_000, o.tokenCache ?? true);
  return {
    tokens,
    cache: new CacheModel(tokens, o.capacityTokens ?? 100_000_000, now, o.defaultTtlMs),
    fingerprints: new FingerprintStore(),
    responses: new ResponseStore(),
    registry: new SimScriptRegistry(),
    faults: new FaultInjector(),
    defaults: o.defaults,
    now,
    rateLimit: new RequestRateLimit(),
  };
}

/** What a handler asks the HTTP layer to send. */
export type SimReply =
  | { kind: 'json'; status: number; body: unknown; delayMs: number; cut: boolean }
  | { kind: 'sse'; events: PacedEvent[]; plan: StreamPlan; delayMs: number };

export interface SimRequest {
  json: unknown;
  bytes: number;
  options: EffectiveOptions;
  /** Set for a request that came over a WebSocket: the connection's own response state. */
  session?: ResponseSession;
}
