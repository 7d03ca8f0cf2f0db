import type * as z from 'zod';
import { SimVariantOptionsSchema } from '../../config/schema.js';

export type SimVariantOptions = z.output<typeof SimVariantOptionsSchema>;
export type SimLatencyOptions = z.input<NonNullable<typeof SimVariantOptionsSchema.shape.latency>>;
export type SimFaultOptions = z.input<NonNullable<typeof SimVariantOptionsSchema.shape.faults>>;
export type ResolvedLatency = NonNullable<SimVariantOptions['latency']>;
export type ResolvedFaults = NonNullable<SimVariantOptions['faults']>;

export interface EffectiveOptions {
  latency: ResolvedLatency | null;
  faults: ResolvedFaults | null;
  seed: number;
}

export const SIM_OPTIONS_HEADER = 'x-turnbench-sim-options';

export function resolveServerOptions(
  latency: SimLatencyOptions | undefined,
  faults: SimFaultOptions | undefined,
  seed: number | undefined,
): EffectiveOptions {
  const parsed = SimVariantOptionsSchema.parse({ latency, faults, seed });
  return { latency: parsed.latency ?? null, faults: parsed.faults ?? null, seed: parsed.seed ?? 0 };
}

/**
 * Per-request override from the `x-turnbench-sim-options` header (JSON of the variant's
 * `sim` options): each field given replaces the server's.
 */
export function applyHeader(
  base: EffectiveOptions,
  header: string | undefined,
): { ok: true; options: EffectiveOptions } | { ok: false; message: string } {
  if (header === undefined || header === '') return { ok: true, options: base };
  let json: unknown;
  try {
    json = JSON.parse(header);
  } catch {
    return { ok: false, message: `${SIM_OPTIONS_HEADER} is not valid JSON` };
  }
  const parsed = SimVariantOptionsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      message: `${SIM_OPTIONS_HEADER}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    };
  }
  return {
    ok: true,
    options: {
      latency: parsed.data.latency ?? base.latency,
      faults: parsed.data.faults ?? base.faults,
      seed: parsed.data.seed ?? base.seed,
    },
  };
}
