import * as z from 'zod';
import { round } from './util.js';

/**
 * A benchmark target as the bench JSON states it: a figure, the baseline measured in the same run,
 * their ratio, the limit the ratio must not pass, and whether it holds. bench/index.ts gathers every
 * benchmark's `targets` into one list at the top of the results file.
 */
export interface Target {
  what: string;
  figure: number;
  baseline: number;
  unit: string;
  ratio: number;
  limit: number;
  holds: boolean;
  /** How the figure and its baseline were taken, in a sentence. */
  how: string;
}

/** How index.ts reads a benchmark's targets back from its figures (NaN figures travel as null). */
export const TargetSchema = z.object({
  what: z.string(),
  figure: z.number().nullable(),
  baseline: z.number().nullable(),
  unit: z.string(),
  ratio: z.number().nullable(),
  limit: z.number(),
  holds: z.boolean(),
  how: z.string(),
});

export type StatedTarget = z.infer<typeof TargetSchema>;

export function target(t: Omit<Target, 'ratio' | 'holds'> & { ratio?: number }): Target {
  const ratio = t.ratio ?? (t.baseline > 0 ? t.figure / t.baseline : Number.POSITIVE_INFINITY);
  return {
    ...t,
    figure: round(t.figure, 3),
    baseline: round(t.baseline, 3),
    ratio: round(ratio, 3),
    holds: ratio <= t.limit,
  };
}

/** An absolute ceiling stated as a target (the baseline is the ceiling itself, the limit 1). */
export function ceiling(what: string, figure: number, max: number, unit: string, how: string): Target {
  return target({ what, figure, baseline: max, unit, limit: 1, how });
}
