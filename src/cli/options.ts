import { InvalidArgumentError } from 'commander';
import * as z from 'zod';

/** Commander argument parsers backed by zod, so flag errors read like every other input error. */
export function zodArg<T>(schema: z.ZodType<T>, what: string) {
  return (value: string): T => {
    const parsed = schema.safeParse(value);
    if (!parsed.success)
      throw new InvalidArgumentError(`${what}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return parsed.data;
  };
}

export const positiveIntArg = (what: string, max = Number.MAX_SAFE_INTEGER) =>
  zodArg(
    z.coerce
      .number()
      .int()
      .positive()
      .max(max, { message: `at most ${max}` }),
    what,
  );
