import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';
/** JSON with object keys sorted at every depth, so key order never changes a hash. */
const stableStringify = configure({ deterministic: true, bigint: true });
/** Hex digits kept from the sha256 digest: 64 bits, ample for telling prompt parts apart. */
const HASH_HEX_LENGTH = 16;
/** Canonical JSON text of a value (sorted keys; `undefined` properties dropped as JSON does). */
export function canonicalJson(value) {
    return stableStringify(value) ?? 'null';
}
export function hashText(text) {
    return createHash('sha256').update(text).digest('hex').slice(0, HASH_HEX_LENGTH);
}
/** Stable content hash of any JSON-like value: equal content gives an equal hash whatever the key order. */
export function hashValue(value) {
    return hashText(canonicalJson(value));
}
/** Hash of an ordered list of hashes (e.g. all items of a prompt) without re-serialising the items. */
export function hashList(hashes) {
    return hashText(hashes.join(','));
}
/** Canonical JSON, indented: for showing items and tools to people. */
export function prettyCanonicalJson(value) {
    return stableStringify(value, null, 2) ?? 'null';
}
//# sourceMappingURL=hash.js.map