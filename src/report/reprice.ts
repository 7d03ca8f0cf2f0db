import { join } from 'node:path';
import { costUsd, type Pricing, priceFor } from '../config/index.js';
import {
  type SampleGrade,
  type SampleRecord,
  type TurnRecord,
  TurnRecordSchema,
} from '../telemetry/index.js';
import { readJsonl } from './jsonl.js';
import { RUN_FILES } from './run-dir.js';

/**
 * Costs recomputed from the recorded usage with another price table (`report --pricing`), since
 * prices change after a run. A turn's cost comes from its model and tokens; a sample's is the sum
 * of its turns' (compaction requests included, as at run time); a grader's from its own usage.
 */
export interface Repricing {
  turn(t: TurnRecord): TurnRecord;
  sample(s: SampleRecord): SampleRecord;
}

const addKnown = (total: number | null, value: number | null) =>
  total === null || value === null ? null : total + value;

export async function repriceRun(runDir: string, pricing: Pricing): Promise<Repricing> {
  const prices = new Map<string, ReturnType<typeof priceFor>>();
  const price = (model: string) => {
    if (!prices.has(model)) prices.set(model, priceFor(pricing, model));
    return prices.get(model) ?? null;
  };
  const cost = (
    model: string,
    u: Pick<
      TurnRecord,
      'input_tokens' | 'cached_tokens' | 'cache_write_tokens' | 'cache_write_12h_tokens' | 'output_tokens'
    >,
  ) =>
    costUsd(price(model), {
      inputTokens: u.input_tokens,
      cachedTokens: u.cached_tokens,
      cacheWriteTokens: u.cache_write_tokens,
      cacheWrite12hTokens: u.cache_write_12h_tokens,
      outputTokens: u.output_tokens,
    });

  const sampleCosts = new Map<string, number | null>();
  await readJsonl(join(runDir, RUN_FILES.turns), TurnRecordSchema, (t) => {
    sampleCosts.set(t.sample_id, addKnown(sampleCosts.get(t.sample_id) ?? 0, cost(t.model, t)));
  });
  const grade = (g: SampleGrade): SampleGrade => ({ ...g, cost_usd: cost(g.model, g) });

  return {
    turn: (t) => ({ ...t, cost_usd: cost(t.model, t) }),
    sample: (s) => ({
      ...s,
      // A sample without turn records (it failed before its first request) cost nothing.
      cost_usd: sampleCosts.has(s.sample_id) ? (sampleCosts.get(s.sample_id) ?? null) : 0,
      ...(s.grades ? { grades: s.grades.map(grade) } : {}),
    }),
  };
}
