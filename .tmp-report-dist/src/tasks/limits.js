import { DEFAULT_LIMITS } from '../config/index.js';
/** DEFAULT_LIMITS, overridden by the suite's limits, overridden by the task's; unset fields fall through. */
export function resolveLimits(...layers) {
    const out = { ...DEFAULT_LIMITS };
    for (const layer of layers) {
        if (!layer)
            continue;
        for (const key of Object.keys(out)) {
            const value = layer[key];
            if (value !== undefined)
                out[key] = value;
        }
    }
    return out;
}
//# sourceMappingURL=limits.js.map