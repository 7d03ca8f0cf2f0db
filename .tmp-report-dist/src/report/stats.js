/** Pure statistics used by reports and comparisons. No I/O. */
/** Two-sided standard normal quantile for the usual confidence levels. */
export function zFor(level) {
    const table = {
        '0.8': 1.2815515655,
        '0.9': 1.644853627,
        '0.95': 1.959963985,
        '0.99': 2.575829304,
    };
    const z = table[String(level)];
    if (z === undefined)
        throw new Error(`unsupported confidence level ${level} (use 0.8, 0.9, 0.95 or 0.99)`);
    return z;
}
/** Wilson score interval for `successes` out of `n`. n = 0 gives [0, 1]. */
export function wilson(successes, n, level = 0.95) {
    if (n === 0)
        return { lo: 0, hi: 1 };
    if (successes < 0 || successes > n)
        throw new Error(`wilson: successes ${successes} outside 0..${n}`);
    const z = zFor(level);
    const p = successes / n;
    const z2 = z * z;
    const denom = 1 + z2 / n;
    const center = (p + z2 / (2 * n)) / denom;
    const margin = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
    return { lo: Math.max(0, center - margin), hi: Math.min(1, center + margin) };
}
/** mulberry32: a tiny seeded PRNG so bootstrap intervals are reproducible. */
export function seededRandom(seed) {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
export function mean(values) {
    if (values.length === 0)
        return Number.NaN;
    let s = 0;
    for (const v of values)
        s += v;
    return s / values.length;
}
/** Linear-interpolated quantile (type 7, as numpy's default) of sorted values. */
export function quantileSorted(sorted, q) {
    if (sorted.length === 0)
        return Number.NaN;
    const pos = (sorted.length - 1) * q;
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    const a = sorted[lo] ?? Number.NaN;
    const b = sorted[hi] ?? Number.NaN;
    return a + (b - a) * (pos - lo);
}
/** Percentile bootstrap interval of the mean (seeded, so the same data gives the same interval). */
export function bootstrapMean(values, options = {}) {
    const { iterations = 2000, level = 0.95, seed = 1 } = options;
    const m = mean(values);
    if (values.length === 0)
        return { mean: Number.NaN, lo: Number.NaN, hi: Number.NaN };
    const rand = seededRandom(seed);
    const n = values.length;
    const means = new Float64Array(iterations);
    for (let i = 0; i < iterations; i++) {
        let s = 0;
        for (let j = 0; j < n; j++)
            s += values[Math.floor(rand() * n)] ?? 0;
        means[i] = s / n;
    }
    means.sort();
    const alpha = (1 - level) / 2;
    const sorted = Array.from(means);
    return { mean: m, lo: quantileSorted(sorted, alpha), hi: quantileSorted(sorted, 1 - alpha) };
}
/** C(n, k) as a float; fine for the sizes of epochs. */
function choose(n, k) {
    if (k < 0 || k > n)
        return 0;
    let r = 1;
    for (let i = 1; i <= k; i++)
        r = (r * (n - k + i)) / i;
    return r;
}
/**
 * Unbiased pass@k estimator (Chen et al. 2021): 1 - C(n-c, k) / C(n, k) for n attempts with c passes.
 * Null when fewer than k attempts exist.
 */
export function passAtK(n, c, k) {
    if (k < 1 || n < k)
        return null;
    if (n - c < k)
        return 1;
    return 1 - choose(n - c, k) / choose(n, k);
}
/** Mean pass@k over tasks; each task's attempts are its epochs. Tasks with fewer than k epochs are left out. */
export function meanPassAtK(tasks, k) {
    let sum = 0;
    let count = 0;
    for (const t of tasks) {
        const p = passAtK(t.n, t.c, k);
        if (p === null)
            continue;
        sum += p;
        count++;
    }
    return { value: count > 0 ? sum / count : null, tasks: count };
}
/** Two-sided 95% Student t critical values for df 1..30; beyond 30 the normal value is close enough. */
const T95 = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
    2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];
export function t95(df) {
    if (df < 1)
        return Number.NaN;
    return T95[df - 1] ?? 1.959963985;
}
/** Paired comparison: per-pair differences candidate - baseline, with a t interval and a bootstrap interval. */
export function pairedDifference(pairs, options = {}) {
    const diffs = pairs.map((p) => p.candidate - p.baseline);
    const n = diffs.length;
    if (n === 0)
        return { n: 0, mean_diff: Number.NaN, ci: null, bootstrap: null, significant: false };
    const m = mean(diffs);
    if (n < 2)
        return { n, mean_diff: m, ci: null, bootstrap: null, significant: false };
    let ss = 0;
    for (const d of diffs)
        ss += (d - m) ** 2;
    const sd = Math.sqrt(ss / (n - 1));
    const half = t95(n - 1) * (sd / Math.sqrt(n));
    const ci = { lo: m - half, hi: m + half };
    const b = bootstrapMean(diffs, {
        seed: options.seed ?? 1,
        iterations: options.iterations ?? 2000,
        level: 0.95,
    });
    return { n, mean_diff: m, ci, bootstrap: { lo: b.lo, hi: b.hi }, significant: ci.lo > 0 || ci.hi < 0 };
}
//# sourceMappingURL=stats.js.map