import { describe, expect, it } from 'vitest';
import { ItemChain } from '../../../src/telemetry/item-chain.js';

const hashes = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('ItemChain', () => {
  it('names a prefix of items the same whatever followed it, and differently once an item differs', () => {
    const a = [...hashes('x', 5), ...hashes('a', 3)];
    const b = [...hashes('x', 5), ...hashes('b', 3)];
    const chain = new ItemChain();
    expect(chain.key(a, 5)).toBe(chain.key(b, 5));
    expect(chain.key(a, 6)).not.toBe(chain.key(b, 6));
    expect(chain.key(a, 0)).toBe('');
    // one item more or less is another key
    expect(chain.key(a, 4)).not.toBe(chain.key(a, 5));
  });

  it('gives, kept from prompt to prompt, the keys a fresh chain gives', () => {
    const kept = new ItemChain();
    const prompts = [hashes('x', 3), hashes('x', 6), [...hashes('x', 2), 'compaction'], hashes('x', 8)];
    for (const prompt of prompts) {
      expect(kept.key(prompt, prompt.length)).toBe(new ItemChain().key(prompt, prompt.length));
      const all = [...kept.keys(prompt, prompt.length)];
      expect(all.map((k) => k.items)).toEqual(prompt.map((_, i) => prompt.length - i));
      expect(all.map((k) => k.key)).toEqual(
        all.map((k) => new ItemChain().key(prompt.slice(0, k.items), k.items)),
      );
    }
  });
});
