import { describe, expect, it } from 'vitest';
import { RequestRateLimit } from '../../../src/sim/behaviour/rate-limit.js';

describe('the sim rate limit (requests_per_s)', () => {
  it('admits a second of requests at once, then one per 1/rate seconds', () => {
    const limit = new RequestRateLimit();
    for (let i = 0; i < 4; i++) expect(limit.take(4, 0)).toBeNull();
    expect(limit.take(4, 0)).toBeCloseTo(0.5, 6); // in debt by one: two tokens' time
    expect(limit.take(4, 250)).toBeCloseTo(0.5, 6); // refilled one, spent one again
  });

  it('counts a rejected request against the limit, so retrying into it pushes everyone back', () => {
    const patient = new RequestRateLimit();
    const hammered = new RequestRateLimit();
    for (let i = 0; i < 2; i++) {
      patient.take(2, 0);
      hammered.take(2, 0);
    }
    for (let i = 0; i < 3; i++) hammered.take(2, 100); // three rejected retries
    expect(patient.take(2, 600)).toBeNull();
    expect(hammered.take(2, 600)).not.toBeNull();
  });

  it('lifts after the burst when it has a length', () => {
    const limit = new RequestRateLimit();
    limit.take(1, 0);
    expect(limit.take(1, 10, 2)).not.toBeNull();
    expect(limit.take(1, 2_000, 2)).toBeNull();
    expect(limit.take(1, 2_001, 2)).toBeNull();
  });
});
