import { describe, expect, test } from 'vitest';
import { PrefixCacheStore } from '../../../src/sim/cache/prefix-cache.js';
import {
  BLOCK_PROFILE,
  EXACT_PROFILE,
  profileForModel,
  requestedTtl,
} from '../../../src/sim/cache/profiles.js';
import { analysePrompt } from '../../../src/sim/prompt/analyse.js';
import { segment } from '../../../src/sim/prompt/segments.js';
import { TokenCache } from '../../../src/sim/tokens/token-cache.js';

const tokens = new TokenCache();
const words = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ` ${prefix}${i}`).join('');

function analyse(texts: string[], blockSize: number | null, store?: PrefixCacheStore, bucket = 1) {
  return analysePrompt(
    texts.map((t) => segment('item', 'user', [t])),
    tokens,
    { seed: 'm', blockSize, probeFor: () => store?.probePositions(bucket) },
  );
}

const write = { ttlMs: 60_000, breakpointTtlMs: new Map<number, number>(), implicitEnd: false };

describe('analysePrompt', () => {
  test('hashes agree on a shared prefix and differ after a change', () => {
    const a = analyse([words('a', 600), words('b', 600)], 128);
    const b = analyse([words('a', 600), words('c', 600)], 128);
    expect(a.boundaries[0]?.hash).toBe(b.boundaries[0]?.hash);
    expect(a.boundaries[1]?.hash).not.toBe(b.boundaries[1]?.hash);
    const shared = Math.floor((a.boundaries[0]?.end ?? 0) / 128);
    expect(a.blockHashes.slice(0, shared)).toEqual(b.blockHashes.slice(0, shared));
    expect(a.blockHashes[shared + 1]).not.toBe(b.blockHashes[shared + 1]);
  });
});

describe('PrefixCacheStore', () => {
  test('block profile: stores block boundaries from the minimum, hits the longest', () => {
    const store = new PrefixCacheStore(1e9, () => 0);
    const a = analyse([words('a', 1500)], 128);
    expect(store.lookup(1, a, BLOCK_PROFILE)).toBe(0);
    store.write(1, a, BLOCK_PROFILE, 0, write);
    expect(store.lookup(1, a, BLOCK_PROFILE)).toBe(Math.floor(a.totalTokens / 128) * 128);
    expect(store.lookup(2, a, BLOCK_PROFILE)).toBe(0); // another routing bucket
  });

  test('routing buckets never share an entry, whichever of their bits differ', () => {
    const store = new PrefixCacheStore(1e9, () => 0);
    const a = analyse([words('a', 1500)], 128);
    const bucket = 0x1f_ffff_ffff_ffff; // 53 bits, as routing buckets are
    store.write(bucket, a, BLOCK_PROFILE, 0, write);
    const full = Math.floor(a.totalTokens / 128) * 128;
    expect(store.lookup(bucket, a, BLOCK_PROFILE)).toBe(full);
    for (const other of [bucket - 1, bucket - 0x200000, bucket - 0x20_0000_0000_0000 / 2, 0]) {
      expect(store.lookup(other, a, BLOCK_PROFILE)).toBe(0);
    }
  });

  test('LRU eviction removes the longest prefixes first (children before parents)', () => {
    const store = new PrefixCacheStore(128 * 10, () => 0);
    const a = analyse([words('a', 1500)], 128);
    expect(a.totalTokens).toBeGreaterThan(20 * 128); // more blocks (from 1024) than fit
    store.write(1, a, BLOCK_PROFILE, 0, write);
    // only 10 blocks fit; the shortest survive: blocks ending at 1024, 1152, ..., 17 * 128
    expect(store.lookup(1, a, BLOCK_PROFILE)).toBe(17 * 128);
    expect(store.storedTokens).toBe(128 * 10);
  });

  test('TTL: entries expire at their lifetime', () => {
    let now = 0;
    const store = new PrefixCacheStore(1e9, () => now);
    const a = analyse([words('t', 1500)], 128);
    store.write(1, a, BLOCK_PROFILE, 0, write);
    now = 59_999;
    expect(store.lookup(1, a, BLOCK_PROFILE)).toBeGreaterThan(0);
    now = 60_000;
    expect(store.lookup(1, a, BLOCK_PROFILE)).toBe(0);
  });

  test('exact profile: matches a stored breakpoint exactly and reports the tokens written', () => {
    const store = new PrefixCacheStore(1e9, () => 0);
    const first = analyse([words('e', 700)], null, store);
    const written = store.write(1, first, EXACT_PROFILE, 0, { ...write, implicitEnd: true });
    expect(written).toBe(first.totalTokens);
    const longer = analyse([words('e', 700), words('f', 50)], null, store);
    expect(store.lookup(1, longer, EXACT_PROFILE)).toBe(first.totalTokens);
    expect(store.write(1, longer, EXACT_PROFILE, first.totalTokens, { ...write, implicitEnd: true })).toBe(
      longer.totalTokens - first.totalTokens,
    );
  });
});

describe('profiles', () => {
  test('model names map to profiles; TTL choices', () => {
    expect(profileForModel('sim-1')).toBe(BLOCK_PROFILE);
    expect(profileForModel('gpt-4.1')).toBe(BLOCK_PROFILE);
    expect(profileForModel('gpt-5.6')).toBe(EXACT_PROFILE);
    expect(profileForModel('sim-exact')).toBe(EXACT_PROFILE);
    // prompt_cache_retention 24h keeps entries longer, but its writes are 30-minute ones
    expect(requestedTtl(BLOCK_PROFILE, '24h', undefined, undefined)).toEqual({
      ms: 24 * 3600_000,
      bucket: '30m',
    });
    expect(requestedTtl(EXACT_PROFILE, '24h', undefined, undefined).bucket).toBe('30m');
    expect(requestedTtl(EXACT_PROFILE, '24h', '12h', undefined).bucket).toBe('12h');
    expect(requestedTtl(EXACT_PROFILE, null, undefined, undefined)).toEqual({
      ms: 30 * 60_000,
      bucket: '30m',
    });
    expect(requestedTtl(EXACT_PROFILE, null, '12h', undefined).bucket).toBe('12h');
  });
});
