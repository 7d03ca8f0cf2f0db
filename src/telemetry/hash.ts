import { hash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';
import { MAX_JSON_DEPTH } from '../config/bounds.js';

/**
 * JSON with object keys sorted at every depth, so key order never changes a hash. Past 1,000 levels
 * (MAX_JSON_DEPTH) a value stands as `"[Object]"` / `"[Array]"`: the serialiser recurses, and an
 * agent's request or a log line can nest deeper than the stack goes (no real prompt part comes near).
 */
const stableStringify = configure({ deterministic: true, bigint: true, maximumDepth: MAX_JSON_DEPTH });

/** Hex digits kept from the sha256 digest: 64 bits, ample for telling prompt parts apart. */
const HASH_HEX_LENGTH = 16;

/** Canonical JSON text of a value (sorted keys; `undefined` properties dropped as JSON does). */
export function canonicalJson(value: unknown): string {
  return stableStringify(value) ?? 'null';
}

/** sha256 of the text, cut to 64 bits of hex (the one-shot `crypto.hash`: half the cost of a Hash object). */
export function hashText(text: string): string {
  return hash('sha256', text, 'hex').slice(0, HASH_HEX_LENGTH);
}

/** Stable content hash of any JSON-like value: equal content gives an equal hash whatever the key order. */
export function hashValue(value: unknown): string {
  return hashText(canonicalJson(value));
}

/** Hash of an ordered list of hashes (e.g. all items of a prompt) without re-serialising the items. */
export function hashList(hashes: readonly string[]): string {
  return hashText(hashes.join(','));
}

/** Canonical JSON, indented: for showing items and tools to people. */
export function prettyCanonicalJson(value: unknown): string {
  return stableStringify(value, null, 2) ?? 'null';
}
