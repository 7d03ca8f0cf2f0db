import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { parseOptions } from '../../../src/config/parse-once.js';

const Schema = z.object({ name: z.string(), limits: z.object({ turns: z.number().int().positive() }) });

describe('parseOptions', () => {
  it("skips zod's compiled fast path on a schema's first parse only", () => {
    const schema = z.object({ a: z.string() });
    expect(parseOptions(schema)).toEqual({ jitless: true });
    expect(parseOptions(schema)).toEqual({});
    expect(parseOptions(schema)).toEqual({});
    // Each schema has a first parse of its own.
    expect(parseOptions(z.object({ a: z.string() }))).toEqual({ jitless: true });
  });

  it('gives the same results and the same errors with and without the fast path', () => {
    const inputs: unknown[] = [
      { name: 'x', limits: { turns: 3 } },
      { name: 'x', limits: { turns: 3 }, extra: true },
      { name: 'x', limits: { turns: -1 } },
      { name: 7, limits: {} },
      'not an object',
      // hostile keys, as JSON.parse makes them (own properties): stripped alike, nothing polluted
      JSON.parse(
        '{"name":"x","limits":{"turns":1},"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
      ),
    ];
    for (const input of inputs) {
      const slow = Schema.safeParse(input, { jitless: true });
      const fast = Schema.safeParse(input);
      expect(slow.success).toBe(fast.success);
      expect(slow.data).toEqual(fast.data);
      expect(slow.error?.issues).toEqual(fast.error?.issues);
      if (slow.success) expect(Object.keys(slow.data)).toEqual(['name', 'limits']);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
