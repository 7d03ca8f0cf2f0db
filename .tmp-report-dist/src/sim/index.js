import { resolveServerOptions } from './behaviour/options.js';
import { handleChatCompletions } from './chat/create.js';
import { createContext } from './context.js';
import { createSimHttpServer, listen } from './http/server.js';
import { listModels } from './models.js';
import { handleResponsesCompact } from './responses/compact.js';
import { handleResponsesCreate } from './responses/create.js';
import { nowSeconds } from './util/ids.js';
export { SIM_OPTIONS_HEADER } from './behaviour/options.js';
export { BLOCK_PROFILE, EXACT_PROFILE, profileForModel } from './cache/profiles.js';
export { LATENCY_PRESETS } from './presets.js';
export { SimScriptRegistry } from './script/registry.js';
export async function startSimServer(opts = {}) {
    const ctx = createContext({
        defaults: resolveServerOptions(opts.latency, opts.faults, opts.seed),
        now: opts.now,
        capacityTokens: opts.cache?.capacityTokens,
        defaultTtlMs: opts.cache?.defaultTtlMs,
    });
    const server = createSimHttpServer(ctx, {
        post: {
            '/v1/responses': handleResponsesCreate,
            '/v1/responses/compact': handleResponsesCompact,
            '/v1/chat/completions': handleChatCompletions,
        },
        get: { '/v1/models': (c) => listModels(nowSeconds(c.now())) },
    }, opts.logRequests ?? false);
    const host = opts.host ?? '127.0.0.1';
    const port = await listen(server, host, opts.port ?? 0);
    const urlHost = host.includes(':') ? `[${host}]` : host;
    return {
        url: `http://${urlHost}:${port}/v1`,
        port,
        scripts: ctx.registry,
        evictAll: () => ctx.cache.clear(),
        close: () => new Promise((resolve, reject) => {
            server.close((err) => (err ? reject(err) : resolve()));
            server.closeAllConnections();
        }),
    };
}
//# sourceMappingURL=index.js.map