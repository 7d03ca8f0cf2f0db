/**
 * Fast non-cryptographic hashing for prompt prefixes. Two independent 32-bit lanes give a
 * 53-bit value (safe as a JS number and as a Map key); collisions are irrelevant at the
 * scale of one sim process.
 */
const P1 = 0x01000193;
const P2 = 0x5bd1e995;
export function seedHash(text) {
    const s = { a: 0x811c9dc5, b: 0x9747b28c };
    for (let i = 0; i < text.length; i++)
        mixInto(s, text.charCodeAt(i));
    return s;
}
export function mixInto(s, value) {
    s.a = Math.imul(s.a ^ value, P1);
    s.b = Math.imul((s.b ^ value) + (s.b >>> 13), P2);
}
export function digest(s) {
    return (s.a >>> 0) * 0x200000 + ((s.b >>> 0) & 0x1fffff);
}
/** Hash of a string as a 53-bit number (for ids, seeds and keys). */
export function hashString(text) {
    return digest(seedHash(text));
}
export function shortId(parts, length = 8) {
    return hashString(parts.join('\u0001')).toString(36).padStart(length, '0').slice(-length);
}
//# sourceMappingURL=hash.js.map