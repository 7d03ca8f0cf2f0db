/**
 * Fast non-cryptographic hashing for prompt prefixes. Two independent 32-bit lanes give a
 * 53-bit value (safe as a JS number and as a Map key); collisions are irrelevant at the
 * scale of one sim process.
 */
const P1 = 0x01000193;
const P2 = 0x5bd1e995;

export interface HashState {
  a: number;
  b: number;
}

export function seedHash(text: string): HashState {
  const s: HashState = { a: 0x811c9dc5, b: 0x9747b28c };
  for (let i = 0; i < text.length; i++) mixInto(s, text.charCodeAt(i));
  return s;
}

export function mixInto(s: HashState, value: number): void {
  s.a = Math.imul(s.a ^ value, P1);
  s.b = Math.imul((s.b ^ value) + (s.b >>> 13), P2);
}

export function digest(s: HashState): number {
  return digestLanes(s.a, s.b);
}

export function digestLanes(a: number, b: number): number {
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

/** Hash of a string as a 53-bit number (for ids, seeds and keys). */
export function hashString(text: string): number {
  return digest(seedHash(text));
}

export function shortId(parts: Array<string | number>, length = 8): string {
  return hashString(parts.join('\u0001')).toString(36).padStart(length, '0').slice(-length);
}
