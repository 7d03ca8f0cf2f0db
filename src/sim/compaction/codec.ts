import * as z from 'zod';
import { opaqueCodec } from '../util/opaque-codec.js';

/**
 * The sim's own "encrypted" compaction content: `sim1.` + base64url(JSON). It carries the
 * script progress and the summary the sim counts in place of the compacted history.
 */
const PREFIX = 'sim1.';

export const CompactionStateSchema = z.object({
  v: z.literal(1),
  /** `endpoint`: made by /responses/compact; `auto`: by context_management on create. */
  kind: z.enum(['endpoint', 'auto']),
  /** Script steps completed before compaction (the highest one); -1 when none. */
  step: z.number().int(),
  /**
   * The script's next action when it compacted, `[step, call]`: resumed as it stands, its
   * condition already checked against the tool output the compaction dropped.
   */
  next: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]).optional(),
  /** sha of the task text whose script was running, when there was one. */
  task: z.string().nullable(),
  summary: z.string(),
});
export type CompactionState = z.infer<typeof CompactionStateSchema>;

const codec = opaqueCodec(PREFIX, CompactionStateSchema);

export const encodeCompaction = codec.encode;
export const decodeCompaction = codec.decode;
/** decodeCompaction, memoised: the same compaction item is resent on every later turn. */
export const readCompaction = codec.read;
