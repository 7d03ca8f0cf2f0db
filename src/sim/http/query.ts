import * as z from 'zod';
import { fromZod } from './errors.js';

/**
 * A query string as an object for a schema: `name[]=a&name[]=b` (how the SDK sends arrays) and a
 * repeated `name=a&name=b` are arrays, any other name its value.
 */
export function queryObject(query: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [raw, value] of query) {
    const list = raw.endsWith('[]');
    const name = list ? raw.slice(0, -2) : raw;
    const prev = out[name];
    if (prev === undefined) out[name] = list ? [value] : value;
    else out[name] = [...(Array.isArray(prev) ? prev : [prev]), value];
  }
  return out;
}

/** `true` / `false` in a query string. */
export const QueryBoolean = z.enum(['true', 'false']).transform((v) => v === 'true');

/** `include` in a query string: one value or several. */
export const QueryInclude = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]));

/** The query parsed by `schema`, or a 400 naming the first bad parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, query: URLSearchParams): z.output<S> {
  const parsed = schema.safeParse(queryObject(query));
  if (!parsed.success) throw fromZod(parsed.error, 'query parameter');
  return parsed.data;
}
