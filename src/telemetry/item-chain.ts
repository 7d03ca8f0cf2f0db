/**
 * Chained hashes of a prompt's item hashes (the chain after k items names the first k items),
 * kept from one prompt to the next: a conversation's prompts mostly extend the previous one, so
 * only the items past the shared start are hashed again. Two 32-bit FNV-style lanes; a chain key
 * is built only when asked for.
 */
export class ItemChain {
  private hashes: readonly string[] = [];
  /** Lane states after each item of `hashes`. */
  private readonly a: number[] = [];
  private readonly b: number[] = [];

  /** Bring the chain to the first `count` items of `hashes`. */
  private advance(hashes: readonly string[], count: number): void {
    const n = Math.min(count, hashes.length);
    let same = 0;
    const known = Math.min(n, this.a.length);
    while (same < known && hashes[same] === this.hashes[same]) same++;
    let a = same > 0 ? this.a[same - 1]! : 0x811c9dc5;
    let b = same > 0 ? this.b[same - 1]! : 0x9747b28c;
    this.a.length = same;
    this.b.length = same;
    for (let i = same; i < n; i++) {
      const hash = hashes[i]!;
      for (let c = 0; c < hash.length; c++) {
        const code = hash.charCodeAt(c);
        a = Math.imul(a ^ code, 0x01000193);
        b = Math.imul(b ^ code, 0x5bd1e995);
      }
      a = Math.imul(a ^ 0x2c, 0x01000193);
      b = Math.imul(b ^ 0x2c, 0x5bd1e995);
      this.a.push(a);
      this.b.push(b);
    }
    this.hashes = hashes;
  }

  /** The key of the first `count` items of `hashes` ('' for none). */
  key(hashes: readonly string[], count: number): string {
    this.advance(hashes, count);
    return this.keyAt(Math.min(count, hashes.length));
  }

  /**
   * The keys of the first 1..count items of `hashes`, longest first, made as they are asked for:
   * a caller looking for the longest known prefix mostly stops at the first.
   */
  *keys(hashes: readonly string[], count: number): Generator<{ items: number; key: string }> {
    this.advance(hashes, count);
    for (let k = this.a.length; k >= 1; k--) yield { items: k, key: this.keyAt(k) };
  }

  private keyAt(k: number): string {
    if (k === 0) return '';
    return `${k}:${(this.a[k - 1]! >>> 0).toString(36)}${(this.b[k - 1]! >>> 0).toString(36)}`;
  }
}
