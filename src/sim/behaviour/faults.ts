import { WeightedLru } from '../../util/lru.js';
import { hashString } from '../util/hash.js';
import { createRng } from '../util/rng.js';
import type { ResolvedFaults } from './options.js';

export interface FaultDecision {
  status: 429 | 500 | 503 | null;
  retryAfterS: number;
  /** Destroy the connection after this fraction of the stream (or before a JSON body). */
  cutStream: boolean;
  malformedArgs: boolean;
  slowMs: number;
}

export const NO_FAULT: FaultDecision = {
  status: null,
  retryAfterS: 0,
  cutStream: false,
  malformedArgs: false,
  slowMs: 0,
};

/**
 * Deterministic fault draws: the same request (by prompt hash) gets the same draws for its
 * n-th attempt under a given seed, so retries see fresh draws and runs are reproducible
 * whatever the interleaving of concurrent requests. Attempts are counted per seed: two variants
 * with their own seeds draw independently even when they send the same prompt, whereas variants
 * sharing a seed share the draws of an identical prompt between them, first come first served.
 */
export class FaultInjector {
  private readonly attempts = new WeightedLru<string, number>(100_000);

  decide(faults: ResolvedFaults | null, seed: number, requestKey: string): FaultDecision {
    if (!faults) return NO_FAULT;
    const attemptKey = `${seed}\u0001${requestKey}`;
    const attempt = (this.attempts.get(attemptKey) ?? 0) + 1;
    this.attempts.set(attemptKey, attempt);
    const rng = createRng(hashString(`${seed}\u0001${requestKey}\u0001${attempt}`));
    const u = rng();
    let status: FaultDecision['status'] = null;
    if (u < faults.rate_429) status = 429;
    else if (u < faults.rate_429 + faults.rate_500) status = 500;
    else if (u < faults.rate_429 + faults.rate_500 + faults.rate_503) status = 503;
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
export function malform(args: string): string {
  return args.length > 1 ? args.slice(0, Math.ceil(args.length / 2)) : '{"';
}
