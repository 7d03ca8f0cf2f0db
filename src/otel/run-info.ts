import * as z from 'zod';
import type { RunInfo, VariantInfo } from './span-specs.js';

/** What the root span needs from each variant; read loosely, as run.json may come from older versions. */
const SuiteVariants = z.object({
  variants: z.array(
    z.looseObject({
      name: z.string(),
      provider: z.string().optional(),
      model: z.string().optional(),
      agent: z.union([z.string(), z.looseObject({ type: z.string() })]).optional(),
    }),
  ),
});

/**
 * RunInfo from a suite as run.json stores it (or as loaded, for a live run). In an ingested run
 * each variant is the agent that wrote the log (`codex`, ...); otherwise the built-in loop ran
 * the samples unless the variant names another agent.
 */
export function runInfoFrom(
  runId: string,
  suiteName: string,
  suite: unknown,
  source: 'run' | 'ingest' = 'run',
): RunInfo {
  const parsed = SuiteVariants.safeParse(suite);
  const variants = new Map<string, VariantInfo>();
  for (const v of parsed.success ? parsed.data.variants : []) {
    const fallback = source === 'ingest' ? v.name : 'turnbench';
    const type = typeof v.agent === 'string' ? v.agent : v.agent?.type;
    // `builtin` is turnbench's own loop (variants before `agent:` existed name none)
    const agent = type === undefined || type === 'builtin' ? fallback : type;
    variants.set(v.name, { provider: v.provider ?? null, model: v.model ?? null, agent });
  }
  return { runId, suiteName, variants };
}
