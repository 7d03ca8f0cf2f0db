import type { Server } from 'node:http';
import type { SimFaultOptions, SimLatencyOptions } from './behaviour/options.js';
import { resolveServerOptions } from './behaviour/options.js';
import { handleChatCompletions } from './chat/create.js';
import { createContext } from './context.js';
import { createSimHttpServer, listen } from './http/server.js';
import { emptyTraffic, type ResponseObserver, type SimTraffic } from './http/traffic.js';
import { handleModelRetrieve, listModels } from './models.js';
import { handleResponseCancel } from './responses/cancel.js';
import { handleResponsesCompact } from './responses/compact.js';
import { handleResponsesCreate } from './responses/create.js';
import { handleResponseDelete } from './responses/delete.js';
import { handleInputItemsList } from './responses/input-items.js';
import { handleInputTokens } from './responses/input-tokens.js';
import { handleResponseRetrieve } from './responses/retrieve.js';
import type { SimScriptRegistry } from './script/registry.js';
import { nowSeconds } from './util/ids.js';
import { attachWebSocketMode } from './websocket/server.js';

export type { SimFaultOptions, SimLatencyOptions } from './behaviour/options.js';
export { SIM_OPTIONS_HEADER } from './behaviour/options.js';
export type { CacheProfile } from './cache/profiles.js';
export { BLOCK_PROFILE, EXACT_PROFILE, profileForModel } from './cache/profiles.js';
export type { ResponseObserver, SimTraffic, SimTransport } from './http/traffic.js';
export { LATENCY_PRESETS } from './presets.js';
export { SimScriptRegistry } from './script/registry.js';

export interface SimServerOptions {
  host?: string;
  port?: number;
  seed?: number;
  latency?: SimLatencyOptions;
  faults?: SimFaultOptions;
  cache?: { capacityTokens?: number; defaultTtlMs?: number };
  logRequests?: boolean;
  /** Clock for cache TTLs (tests inject one to expire entries without sleeping). */
  now?: () => number;
  /** Told about every Responses API response sent in full, over HTTP or a WebSocket. */
  onResponse?: ResponseObserver;
}

export interface SimServer {
  url: string;
  port: number;
  scripts: SimScriptRegistry;
  /** What has been asked so far: HTTP requests by route, WebSocket upgrades and client events. */
  traffic: SimTraffic;
  close(): Promise<void>;
  /** test hook: drop every cache entry (forced eviction) */
  evictAll(): void;
}

export async function startSimServer(opts: SimServerOptions = {}): Promise<SimServer> {
  const ctx = createContext({
    defaults: resolveServerOptions(opts.latency, opts.faults, opts.seed),
    now: opts.now,
    capacityTokens: opts.cache?.capacityTokens,
    defaultTtlMs: opts.cache?.defaultTtlMs,
  });
  const traffic = emptyTraffic();
  const logRequests = opts.logRequests ?? false;
  const server: Server = createSimHttpServer(
    ctx,
    {
      post: {
        '/v1/responses': handleResponsesCreate,
        '/v1/responses/compact': handleResponsesCompact,
        '/v1/responses/input_tokens': handleInputTokens,
        '/v1/chat/completions': handleChatCompletions,
      },
      get: { '/v1/models': (c) => listModels(nowSeconds(c.now())) },
      resources: [
        { method: 'GET', path: '/v1/models/{id}', handler: handleModelRetrieve },
        { method: 'GET', path: '/v1/responses/{id}', handler: handleResponseRetrieve },
        { method: 'DELETE', path: '/v1/responses/{id}', handler: handleResponseDelete },
        { method: 'GET', path: '/v1/responses/{id}/input_items', handler: handleInputItemsList },
        { method: 'POST', path: '/v1/responses/{id}/cancel', handler: handleResponseCancel },
      ],
    },
    { logRequests, traffic, onResponse: opts.onResponse },
  );
  const websockets = attachWebSocketMode(server, ctx, {
    create: handleResponsesCreate,
    traffic,
    onResponse: opts.onResponse,
    logRequests,
  });
  const host = opts.host ?? '127.0.0.1';
  const port = await listen(server, host, opts.port ?? 0);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/v1`,
    port,
    scripts: ctx.registry,
    traffic,
    evictAll: () => ctx.cache.clear(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        websockets.closeAll();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
