import * as z from 'zod';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export const ShardSchema = z
  .string()
  .regex(/^\d+\/\d+$/, 'expected i/n, e.g. 2/4')
  .transform((text) => {
    const [index, count] = text.split('/').map(Number) as [number, number];
    return { index, count };
  })
  .refine((s) => s.count >= 1 && s.index >= 1 && s.index <= s.count, 'expected 1 <= i <= n');

/**
 * Deterministic split: every n-th sample of the expanded (interleaved) order, so each shard gets
 * a similar mix of tasks and variants and the union of all shards is the whole suite, once.
 */
export function shardSamples<T>(samples: readonly T[], shard: Shard): T[] {
  return samples.filter((_, i) => i % shard.count === shard.index - 1);
}
