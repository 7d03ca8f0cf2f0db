import { FaultInjector } from './behaviour/faults.js';
import { FingerprintStore } from './cache/diagnostics.js';
import { CacheModel } from './cache/model.js';
import { ResponseStore } from './responses/store.js';
import { SimScriptRegistry } from './script/registry.js';
import { TokenCache } from './tokens/token-cache.js';
export function createContext(o) {
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
    };
}
//# sourceMappingURL=context.js.map