import { WeightedLru } from '../util/lru.js';
/**
 * The provider-side prompt cache: entries are prefixes identified by (routing bucket, chain
 * hash), in one LRU bounded by token capacity, each with a TTL. Block profiles store every
 * block boundary; exact profiles store breakpoints (the prompt end and explicit ones).
 * Hits refresh entries parents-last so that eviction removes the longest prefixes first,
 * as a radix-tree KV cache would.
 */
export class PrefixCacheStore {
    now;
    lru;
    /** Positions of non-block entries per bucket (to know where to probe), with counts. */
    exactPositions = new Map();
    constructor(capacityTokens, now) {
        this.now = now;
        this.lru = new WeightedLru(capacityTokens, (_key, entry) => this.forgetPosition(entry));
    }
    get storedTokens() {
        return this.lru.weight;
    }
    probePositions(bucket) {
        const m = this.exactPositions.get(bucket);
        return m ? new Set(m.keys()) : undefined;
    }
    /** Longest cached prefix of the analysed prompt, in tokens (0 when none). */
    lookup(bucket, a, profile) {
        const now = this.now();
        let best = 0;
        if (profile.blockSize) {
            const minBlock = Math.ceil(profile.minTokens / profile.blockSize) - 1;
            for (let k = a.blockHashes.length - 1; k >= minBlock; k--) {
                if (this.alive(bucket, a.blockHashes[k], now)) {
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
    /** Refresh the entries that served a hit of `cached` tokens. */
    touch(bucket, a, profile, cached, ttlMs) {
        if (cached <= 0)
            return;
        const expiresAt = this.now() + ttlMs;
        const probeHash = a.probes.get(cached);
        if (probeHash !== undefined)
            this.refresh(bucket, probeHash, expiresAt);
        if (profile.blockSize) {
            for (let k = Math.floor(cached / profile.blockSize) - 1; k >= 0; k--) {
                this.refresh(bucket, a.blockHashes[k], expiresAt);
            }
        }
    }
    /** Store the prompt's prefixes; returns the tokens newly written beyond `cached`. */
    write(bucket, a, profile, cached, w) {
        if (a.totalTokens < profile.minTokens)
            return 0;
        const now = this.now();
        let written = 0;
        const exact = a.breakpoints.map((bp) => ({
            pos: bp.pos,
            hash: bp.hash,
            ttlMs: w.breakpointTtlMs.get(bp.pos) ?? w.ttlMs,
        }));
        if (w.implicitEnd)
            exact.push({ pos: a.totalTokens, hash: a.endHash, ttlMs: w.ttlMs });
        exact.sort((x, y) => x.pos - y.pos);
        let prev = cached;
        for (const e of exact) {
            if (e.pos < profile.minTokens)
                continue;
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
                if (this.put(bucket, a.blockHashes[k], pos, now + w.ttlMs, profile.blockSize, false)) {
                    written = Math.max(written, pos - cached);
                }
            }
        }
        return Math.max(0, written);
    }
    clear() {
        this.lru.clear();
        this.exactPositions.clear();
    }
    key(bucket, hash) {
        return `${bucket.toString(36)}:${hash.toString(36)}`;
    }
    alive(bucket, hash, now) {
        const key = this.key(bucket, hash);
        const entry = this.lru.peek(key);
        if (!entry)
            return false;
        if (entry.expiresAt <= now) {
            this.lru.delete(key);
            this.forgetPosition(entry);
            return false;
        }
        return true;
    }
    refresh(bucket, hash, expiresAt) {
        const entry = this.lru.get(this.key(bucket, hash));
        if (entry && entry.expiresAt < expiresAt)
            entry.expiresAt = expiresAt;
    }
    /** Returns true when the entry is new (a real write). */
    put(bucket, hash, pos, expiresAt, weight, exact) {
        const key = this.key(bucket, hash);
        const existing = this.lru.get(key);
        if (existing && existing.expiresAt > this.now()) {
            if (existing.expiresAt < expiresAt)
                existing.expiresAt = expiresAt;
            return false;
        }
        if (existing)
            this.forgetPosition(existing);
        const entry = { bucket, pos, expiresAt, exact };
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
    forgetPosition(entry) {
        if (!entry.exact)
            return;
        const positions = this.exactPositions.get(entry.bucket);
        if (!positions)
            return;
        const n = (positions.get(entry.pos) ?? 1) - 1;
        if (n <= 0)
            positions.delete(entry.pos);
        else
            positions.set(entry.pos, n);
        if (positions.size === 0)
            this.exactPositions.delete(entry.bucket);
    }
}
//# sourceMappingURL=prefix-cache.js.map