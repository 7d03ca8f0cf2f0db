import * as z from 'zod';

/** Metrics a gate (and `compare`) can look at; all come from VariantSummary. */
export const GATE_METRICS = [
  'pass_rate',
  'cache_hit_rate',
  'cost_usd',
  'input_tokens',
  'cached_tokens',
  'cache_write_tokens',
  'output_tokens',
  'reasoning_tokens',
  'turns',
  'errors',
  'compactions',
  'cache_breaks',
  'bytes_sent',
  'wall_ms',
] as const;
export type GateMetric = (typeof GATE_METRICS)[number];
export const RATE_METRICS: readonly GateMetric[] = ['pass_rate', 'cache_hit_rate'];

export const GateSchema = z
  .object({
    metric: z.enum(GATE_METRICS),
    op: z.enum(['<', '<=', '>', '>=']),
    threshold: z.number().finite(),
    /** pp: percentage points of a rate; percent: relative change; absolute: raw difference. */
    unit: z.enum(['pp', 'percent', 'absolute']),
    source: z.string(),
  })
  .refine((g) => g.unit !== 'pp' || RATE_METRICS.includes(g.metric), {
    message: 'pp (percentage points) applies only to pass_rate and cache_hit_rate',
  });
export type Gate = z.infer<typeof GateSchema>;

const GATE_RE = /^([a-z_]+)\s*(<=|>=|<|>)\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(pp|%)?$/;
const EXAMPLE = 'e.g. "cache_hit_rate<-2pp,pass_rate<-5pp,cost_usd>+10%"';

export class GateSyntaxError extends Error {}

/**
 * Parses `metric<op><number>[pp|%]` terms separated by commas. The condition describes a failure:
 * `cost_usd>+10%` fails when the candidate costs more than 10% over the baseline.
 */
export function parseGates(expression: string): Gate[] {
  const terms = expression
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
  if (terms.length === 0) throw new GateSyntaxError(`empty gate expression (${EXAMPLE})`);
  return terms.map((term) => {
    const m = GATE_RE.exec(term);
    if (!m) {
      throw new GateSyntaxError(`bad gate "${term}": expected <metric><op><number>[pp|%] (${EXAMPLE})`);
    }
    const parsed = GateSchema.safeParse({
      metric: m[1],
      op: m[2],
      threshold: Number(m[3]),
      unit: m[4] === 'pp' ? 'pp' : m[4] === '%' ? 'percent' : 'absolute',
      source: term,
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const why =
        issue?.path[0] === 'metric'
          ? `unknown metric "${m[1]}" (one of: ${GATE_METRICS.join(', ')})`
          : issue?.message;
      throw new GateSyntaxError(`bad gate "${term}": ${why}`);
    }
    return parsed.data;
  });
}

/** The change measured in the gate's unit: pp for rates, % for relative, raw otherwise. */
export function gateDelta(gate: Gate, baseline: number, candidate: number): number {
  switch (gate.unit) {
    case 'pp':
      return (candidate - baseline) * 100;
    case 'percent':
      if (baseline === 0)
        return candidate === 0 ? 0 : candidate > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
      return (candidate / baseline - 1) * 100;
    case 'absolute':
      return candidate - baseline;
  }
}

export function gateViolated(gate: Gate, delta: number): boolean {
  switch (gate.op) {
    case '<':
      return delta < gate.threshold;
    case '<=':
      return delta <= gate.threshold;
    case '>':
      return delta > gate.threshold;
    case '>=':
      return delta >= gate.threshold;
  }
}

export interface GateResult {
  gate: string;
  variant: string;
  /** null: the run cannot measure the metric (pass_rate without a scored sample). */
  baseline: number | null;
  candidate: number | null;
  /** In the gate's unit (pp, % or raw); null when either side is null. */
  delta: number | null;
  /** A gate that cannot be measured fails: a condition asked for is never passed silently. */
  failed: boolean;
}

export function evaluateGates(
  gates: readonly Gate[],
  variants: readonly {
    variant: string;
    baseline: Record<GateMetric, number | null>;
    candidate: Record<GateMetric, number | null>;
  }[],
): GateResult[] {
  const results: GateResult[] = [];
  for (const gate of gates) {
    for (const v of variants) {
      const b = v.baseline[gate.metric];
      const c = v.candidate[gate.metric];
      const delta = b === null || c === null ? null : gateDelta(gate, b, c);
      results.push({
        gate: gate.source,
        variant: v.variant,
        baseline: b,
        candidate: c,
        delta,
        failed: delta === null || gateViolated(gate, delta),
      });
    }
  }
  return results;
}
