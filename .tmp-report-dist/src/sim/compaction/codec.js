import { z } from 'zod';
/**
 * The sim's own "encrypted" compaction content: `sim1.` + base64url(JSON). It carries the
 * script progress and the summary the sim counts in place of the compacted history.
 */
const PREFIX = 'sim1.';
export const CompactionStateSchema = z.object({
    v: z.literal(1),
    /** `endpoint`: made by /responses/compact; `auto`: by context_management on create. */
    kind: z.enum(['endpoint', 'auto']),
    /** Highest script step reached before compaction; -1 when none. */
    step: z.number().int(),
    /** sha of the task text whose script was running, when there was one. */
    task: z.string().nullable(),
    summary: z.string(),
});
export function encodeCompaction(state) {
    return PREFIX + Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}
export function decodeCompaction(content) {
    if (!content.startsWith(PREFIX))
        return null;
    try {
        const json = JSON.parse(Buffer.from(content.slice(PREFIX.length), 'base64url').toString('utf8'));
        const parsed = CompactionStateSchema.safeParse(json);
        return parsed.success ? parsed.data : null;
    }
    catch {
        return null;
    }
}
//# sourceMappingURL=codec.js.map