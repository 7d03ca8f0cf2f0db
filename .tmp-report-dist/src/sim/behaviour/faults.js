import { hashString } from '../util/hash.js';
import { WeightedLru } from '../util/lru.js';
import { createRng } from '../util/rng.js';
export const NO_FAULT = {
    status: null,
    retryAfterS: 0,
    cutStream: false,
    malformedArgs: false,
    slowMs: 0,
};
/**
 * Deterministic fault draws: the same request (by prompt hash) gets the same draws for its
 * n-th attempt under a given seed, so retries see fresh draws and runs are reproducible
 * whatever the interleaving of concurrent requests.
 */
export class FaultInjector {
    attempts = new WeightedLru(100_000);
    decide(faults, seed, requestKey) {
        if (!faults)
            return NO_FAULT;
        const attempt = (this.attempts.get(requestKey) ?? 0) + 1;
        this.attempts.set(requestKey, attempt);
        const rng = createRng(hashString(`${seed}\u0001${requestKey}\u0001${attempt}`));
        const u = rng();
        let status = null;
        if (u < faults.rate_429)
            status = 429;
        else if (u < faults.rate_429 + faults.rate_500)
            status = 500;
        else if (u < faults.rate_429 + faults.rate_500 + faults.rate_503)
            status = 503;
        const cut = rng() < faults.rate_cut_stream;
        const malformed = rng() < faults.rate_malformed_args;
        const slow = rng() < faults.rate_slow;
        return {
            status,
            retryAfterS: faults.retry_after_s,
            cutStream: cut,
            malformedArgs: malformed,
            slowMs: slow ? faults.slow_ms : 0,
        };
    }
}
/** Arguments cut in half: no longer valid JSON (unless they were empty). */
export function malform(args) {
    return args.length > 1 ? args.slice(0, Math.ceil(args.length / 2)) : '{"';
}
//# sourceMappingURL=faults.js.map