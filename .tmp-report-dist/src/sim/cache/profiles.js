export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const BLOCK_PROFILE = {
    name: 'block-128',
    minTokens: 1024,
    blockSize: 128,
    reportsWrites: false,
    defaultTtlMs: 10 * MINUTE_MS,
};
export const EXACT_PROFILE = {
    name: 'exact',
    minTokens: 1024,
    blockSize: null,
    reportsWrites: true,
    defaultTtlMs: 30 * MINUTE_MS,
};
const RULES = [
    { pattern: /^sim-exact/, profile: EXACT_PROFILE },
    { pattern: /^gpt-5\.([6-9]|\d{2,})/, profile: EXACT_PROFILE },
    { pattern: /^gpt-([6-9]|\d{2,})/, profile: EXACT_PROFILE },
];
export function profileForModel(model) {
    return RULES.find((r) => r.pattern.test(model))?.profile ?? BLOCK_PROFILE;
}
/** The lifetime a request asks for, in ms, and which usage bucket its writes land in. */
export function requestedTtl(profile, retention, ttl, defaultTtlMs) {
    if (ttl === '12h')
        return { ms: 12 * HOUR_MS, bucket: '12h' };
    if (retention === '24h')
        return { ms: 24 * HOUR_MS, bucket: '12h' };
    if (ttl === '30m')
        return { ms: 30 * MINUTE_MS, bucket: '30m' };
    return { ms: defaultTtlMs ?? profile.defaultTtlMs, bucket: '30m' };
}
export function ttlMs(ttl) {
    return ttl === '12h' ? 12 * HOUR_MS : 30 * MINUTE_MS;
}
//# sourceMappingURL=profiles.js.map