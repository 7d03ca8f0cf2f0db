import { brotliCompressSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decoded } from '../../../src/agents/proxy/read-request.js';

describe('decoding a compressed request body for the record', () => {
  const MiB = 1024 * 1024;
  const bomb = Buffer.alloc(8 * MiB, 0x20); // compresses to a few KB

  it.each([
    ['gzip', gzipSync(bomb)],
    ['br', brotliCompressSync(bomb)],
  ])('refuses a %s body that expands past the cap, and reads one within it', (encoding, body) => {
    expect(body.length).toBeLessThan(64 * 1024);
    expect(() => decoded(body, encoding, MiB)).toThrow(/larger than|exceed/i);
    expect(decoded(body, encoding, 16 * MiB).length).toBe(bomb.length);
  });

  it('passes an uncompressed body through as it is', () => {
    const body = Buffer.from('{"model":"m"}');
    expect(decoded(body, null).equals(body)).toBe(true);
  });
});
