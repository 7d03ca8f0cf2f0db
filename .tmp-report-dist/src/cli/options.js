import { InvalidArgumentError } from 'commander';
import { z } from 'zod';
/** Commander argument parsers backed by zod, so flag errors read like every other input error. */
export function zodArg(schema, what) {
    return (value) => {
        const parsed = schema.safeParse(value);
        if (!parsed.success)
            throw new InvalidArgumentError(`${what}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
        return parsed.data;
    };
}
export const positiveIntArg = (what) => zodArg(z.coerce.number().int().positive(), what);
//# sourceMappingURL=options.js.map