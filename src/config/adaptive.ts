import * as z from 'zod';

/**
 * Adaptive concurrency per provider endpoint (AIMD): the requests in flight move between `floor`
 * and the configured request limit (the ceiling).
 */
export const AdaptiveConcurrencySchema = z
  .object({
    floor: z.number().int().positive().default(1),
    /** Whole requests added to the limit per window of successful requests. */
    increase: z.number().positive().default(1),
    /** The limit is multiplied by this on a 429, a Retry-After or rising latency. */
    decrease: z.number().gt(0).lt(1).default(0.5),
    /** Rising latency: smoothed time to first token past this multiple of its best; 0 = ignore latency. */
    latency_factor: z.number().min(0).default(3),
  })
  .strict();
export type AdaptiveConcurrency = z.infer<typeof AdaptiveConcurrencySchema>;

/** `adaptive: true` means the defaults. */
export const AdaptiveSettingSchema = z.union([z.boolean(), AdaptiveConcurrencySchema]);

export function resolveAdaptive(
  setting: z.infer<typeof AdaptiveSettingSchema> | undefined,
): AdaptiveConcurrency | null {
  if (setting === undefined || setting === false) return null;
  return AdaptiveConcurrencySchema.parse(setting === true ? {} : setting);
}
