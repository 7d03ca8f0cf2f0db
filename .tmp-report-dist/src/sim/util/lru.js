/**
 * A Map-backed LRU bounded by total weight (entry count when every weight is 1).
 * Map iteration order is insertion order, so the first key is the least recently used.
 */
export class WeightedLru {
    maxWeight;
    onEvict;
    map = new Map();
    total = 0;
    constructor(maxWeight, onEvict) {
        this.maxWeight = maxWeight;
        this.onEvict = onEvict;
    }
    get size() {
        return this.map.size;
    }
    get weight() {
        return this.total;
    }
    get(key) {
        const entry = this.map.get(key);
        if (!entry)
            return undefined;
        this.map.delete(key);
        this.map.set(key, entry);
        return entry.value;
    }
    peek(key) {
        return this.map.get(key)?.value;
    }
    set(key, value, weight = 1) {
        const old = this.map.get(key);
        if (old) {
            this.total -= old.weight;
            this.map.delete(key);
        }
        this.map.set(key, { value, weight });
        this.total += weight;
        this.evict();
    }
    delete(key) {
        const old = this.map.get(key);
        if (!old)
            return;
        this.total -= old.weight;
        this.map.delete(key);
    }
    clear() {
        this.map.clear();
        this.total = 0;
    }
    evict() {
        while (this.total > this.maxWeight && this.map.size > 1) {
            const oldest = this.map.keys().next().value;
            const value = this.map.get(oldest)?.value;
            this.delete(oldest);
            this.onEvict?.(oldest, value);
        }
    }
}
//# sourceMappingURL=lru.js.map