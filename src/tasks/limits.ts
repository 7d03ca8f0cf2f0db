import { DEFAULT_LIMITS, type Limits, type ResolvedLimits } from '../config/index.js';

/** DEFAULT_LIMITS, overridden by the suite's limits, overridden by the task's; unset fields fall through. */
export function resolveLimits(...layers: ReadonlyArray<Limits | undefined>): ResolvedLimits {
  const out: ResolvedLimits = { ...DEFAULT_LIMITS };
  for (const layer of layers) {
    if (!layer) continue;
    for (const key of Object.keys(out) as Array<keyof ResolvedLimits>) {
      const value = layer[key];
      if (value !== undefined) out[key] = value;
    }
  }
  return out;
}
