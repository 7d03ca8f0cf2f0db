import { WeightedLru } from '../../util/lru.js';
import type { PromptAnalysis } from '../prompt/analyse.js';
import type { CacheProfile } from './profiles.js';

/** 2^21: the low part of a 53-bit hash (src/sim/util/hash.ts digest). */
const LOW = 0x200000;

interface Entry {
  bucket: number;
  pos: number;
  expiresAt: number;
  /** Stored at a breakpoint rather than a block boundary (tracked for probing). */
  exact: boolean;
}

export interface CacheWrite {
  /** Lifetime for entries without their own breakpoint ttl. */
  ttlMs: number;
  /** Lifetime per explicit breakpoint, by position. */
  breakpointTtlMs: Map<number, number>;
  /** Store the end of the prompt as an implicit breakpoint (exact profiles, implicit mode). */
  implicitEnd: boolean;
}

/**
 * The provider-side prompt cache: entries are prefixes identified by (routing bucket, chain
 * hash), in one LRU bounded by token capacity, each with a TTL. Block profiles store every
 * block boundary; exact profiles store breakpoints (the prompt end and explicit ones).
 * Hits refresh entries parents-last so that eviction removes the longest prefixes first,
 * as a radix-tree KV cache would.
 */
export class PrefixCacheStore {
  private readonly lru: WeightedLru<number, Entry>;
  /** Positions of non-block entries per bucket (to know where to probe), with counts. */
  private readonly exactPositions = new Map<number, Map<number, number>>();
  /**
   * Stored entries per bucket: a prompt routed to a bucket with none (a new conversation, a new
   * `prompt_cache_key`) is a miss without looking its ~200 block hashes up one by one.
   */
  private readonly entriesPerBucket = new Map<number, number>();

  constructor(
    capacityTokens: number,
    private readonly now: () => number,
  ) {
    this.lru = new WeightedLru(capacityTokens, (_key, entry) => this.forget(entry));
  }

  get storedTokens(): number {
    return this.lru.weight;
  }

  probePositions(bucket: number): ReadonlySet<number> | undefined {
    const m = this.exactPositions.get(bucket);
    return m ? new Set(m.keys()) : undefined;
  }

  /** Longest cached prefix of the analysed prompt, in tokens (0 when none). */
  lookup(bucket: number, a: PromptAnalysis, profile: CacheProfile): number {
    if (!this.entriesPerBucket.has(bucket)) return 0;
    const now = this.now();
    let best = 0;
    if (profile.blockSize) {
      const minBlock = Math.ceil(profile.minTokens / profile.blockSize) - 1;
      for (let k = a.blockHashes.length - 1; k >= minBlock; k--) {
        if (this.alive(bucket, a.blockHashes[k] as number, now)) {
          best = (k + 1) * profile.blockSize;
          break;
        }
      }
    }
    for (const [pos, hash] of a.probes) {
      if (pos > best && pos >= profile.minTokens && pos <= a.totalTokens && this.alive(bucket, hash, now))
        best = pos;
    }
    return best;
  }

  /**
   * Refresh the exact entry that served a hit of `cached` tokens. The block entries of a hit
   * are refreshed by `write`, which puts every block of the prompt (an existing live block only
   * gets its expiry raised and moves to most recently used), in the same order.
   */
  touch(bucket: number, a: PromptAnalysis, cached: number, ttlMs: number): void {
    if (cached <= 0) return;
    const probeHash = a.probes.get(cached);
    if (probeHash !== undefined) this.refresh(bucket, probeHash, this.now() + ttlMs);
  }

  /** Store the prompt's prefixes; returns the tokens newly written beyond `cached`. */
  write(bucket: number, a: PromptAnalysis, profile: CacheProfile, cached: number, w: CacheWrite): number {
    if (a.totalTokens < profile.minTokens) return 0;
    const now = this.now();
    let written = 0;
    const exact: Array<{ pos: number; hash: number; ttlMs: number }> = a.breakpoints.map((bp) => ({
      pos: bp.pos,
      hash: bp.hash,
      ttlMs: w.breakpointTtlMs.get(bp.pos) ?? w.ttlMs,
    }));
    if (w.implicitEnd) exact.push({ pos: a.totalTokens, hash: a.endHash, ttlMs: w.ttlMs });
    exact.sort((x, y) => x.pos - y.pos);
    let prev = cached;
    for (const e of exact) {
      if (e.pos < profile.minTokens) continue;
      if (this.put(bucket, e.hash, e.pos, now + e.ttlMs, Math.max(1, e.pos - prev), true)) {
        written = Math.max(written, e.pos - cached);
      }
      prev = Math.max(prev, e.pos);
    }
    if (profile.blockSize) {
      const minBlock = Math.ceil(profile.minTokens / profile.blockSize) - 1;
      // longest first, so the shorter prefixes end up most recently used
      for (let k = a.blockHashes.length - 1; k >= minBlock; k--) {
        const pos = (k + 1) * profile.blockSize;
        if (this.put(bucket, a.blockHashes[k] as number, pos, now + w.ttlMs, profile.blockSize, false)) {
          written = Math.max(written, pos - cached);
        }
      }
    }
    return Math.max(0, written);
  }

  clear(): void {
    this.lru.clear();
    this.exactPositions.clear();
    this.entriesPerBucket.clear();
  }

  /**
   * One 53-bit number for (bucket, chain hash), both 53-bit hashes: their two parts XORed. For one
   * bucket this maps hashes one to one; across buckets a clash is as likely as a hash collision,
   * which the sim already accepts. A number key spares two base-36 strings per block per request.
   */
  private key(bucket: number, hash: number): number {
    const high = (Math.floor(bucket / LOW) ^ Math.floor(hash / LOW)) >>> 0;
    const low = ((bucket % LOW) ^ (hash % LOW)) & (LOW - 1);
    return high * LOW + low;
  }

  private alive(bucket: number, hash: number, now: number): boolean {
    const key = this.key(bucket, hash);
    const entry = this.lru.peek(key);
    if (!entry) return false;
    if (entry.expiresAt <= now) {
      this.lru.delete(key);
      this.forget(entry);
      return false;
    }
    return true;
  }

  private refresh(bucket: number, hash: number, expiresAt: number): void {
    const entry = this.lru.get(this.key(bucket, hash));
    if (entry && entry.expiresAt < expiresAt) entry.expiresAt = expiresAt;
  }

  /** Returns true when the entry is new (a real write). */
  private put(
    bucket: number,
    hash: number,
    pos: number,
    expiresAt: number,
    weight: number,
    exact: boolean,
  ): boolean {
    const key = this.key(bucket, hash);
    const existing = this.lru.get(key);
    if (existing && existing.expiresAt > this.now()) {
      if (existing.expiresAt < expiresAt) existing.expiresAt = expiresAt;
      return false;
    }
    if (existing) this.forget(existing);
    const entry: Entry = { bucket, pos, expiresAt, exact };
    this.entriesPerBucket.set(bucket, (this.entriesPerBucket.get(bucket) ?? 0) + 1);
    if (exact) {
      let positions = this.exactPositions.get(bucket);
      if (!positions) {
        positions = new Map();
        this.exactPositions.set(bucket, positions);
      }
      positions.set(pos, (positions.get(pos) ?? 0) + 1);
    }
    this.lru.set(key, entry, weight);
    return true;
  }

  /** Bookkeeping for an entry that leaves the store (or is replaced). */
  private forget(entry: Entry): void {
    const left = (this.entriesPerBucket.get(entry.bucket) ?? 1) - 1;
    if (left <= 0) this.entriesPerBucket.delete(entry.bucket);
    else this.entriesPerBucket.set(entry.bucket, left);
    this.forgetPosition(entry);
  }

  private forgetPosition(entry: Entry): void {
    if (!entry.exact) return;
    const positions = this.exactPositions.get(entry.bucket);
    if (!positions) return;
    const n = (positions.get(entry.pos) ?? 1) - 1;
    if (n <= 0) positions.delete(entry.pos);
    else positions.set(entry.pos, n);
    if (positions.size === 0) this.exactPositions.delete(entry.bucket);
  }
}
