import type * as z from 'zod';
import { WeightedLru } from '../../util/lru.js';

export interface OpaqueCodec<T> {
  encode(state: T): string;
  /** The state, or null for anyone else's content (another prefix, or not valid). */
  decode(content: string): T | null;
  /** decode, memoised by content: the same item is resent on every later turn. */
  read(content: string): T | null;
}

/**
 * The sim's stand-in for the API's opaque encrypted contents: `<prefix>` + base64url(JSON of a
 * state checked by `schema`). The sim reads back what it wrote; anything else stays opaque.
 */
export function opaqueCodec<T>(prefix: string, schema: z.ZodType<T>, memoEntries = 10_000): OpaqueCodec<T> {
  const memo = new WeightedLru<string, T | null>(memoEntries);
  const decode = (content: string): T | null => {
    if (!content.startsWith(prefix)) return null;
    try {
      const json: unknown = JSON.parse(
        Buffer.from(content.slice(prefix.length), 'base64url').toString('utf8'),
      );
      const parsed = schema.safeParse(json);
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  };
  return {
    encode: (state) => prefix + Buffer.from(JSON.stringify(state), 'utf8').toString('base64url'),
    decode,
    read(content) {
      const hit = memo.peek(content);
      if (hit !== undefined) return hit;
      const state = decode(content);
      memo.set(content, state);
      return state;
    },
  };
}
