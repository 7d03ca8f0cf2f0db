import { join } from 'node:path';
import { type Pricing, priceFor, type SuiteSpec } from '../config/index.js';
import type { Sample } from '../tasks/index.js';
import {
  type EventRecord,
  type RecordSink,
  type SampleRecord,
  SampleRecordSchema,
  SCHEMA_VERSION,
  type TurnRecord,
} from '../telemetry/index.js';
import { eachJsonLine } from './resume.js';

/**
 * A cost budget for a whole run: what the run's records say it has spent (a resumed run starts
 * from what its finished samples spent), and whether that has reached the limit.
 */
export class RunBudget {
  private exhaustedAt: number | null = null;

  constructor(
    readonly limitUsd: number,
    private spent: number,
    private readonly onExhausted: () => void,
  ) {
    if (this.spent >= this.limitUsd) this.exhaustedAt = this.spent;
  }

  get spentUsd(): number {
    return this.spent;
  }

  get exhausted(): boolean {
    return this.exhaustedAt !== null;
  }

  add(costUsd: number | null): void {
    if (costUsd === null || costUsd <= 0) return;
    this.spent += costUsd;
    if (this.exhaustedAt === null && this.spent >= this.limitUsd) {
      this.exhaustedAt = this.spent;
      this.onExhausted();
    }
  }

  /** A sink that counts every turn record's cost before passing records on. */
  counting(sink: RecordSink): RecordSink {
    return {
      turn: (record: TurnRecord) => {
        sink.turn(record);
        this.add(record.cost_usd);
      },
      event: (record: EventRecord) => sink.event(record),
    };
  }
}

/** Every model a run can send to (perturbations that switch models included). */
function modelsOf(suite: SuiteSpec): Array<{ variant: string; model: string }> {
  return suite.variants.flatMap((v) => [
    { variant: v.name, model: v.model },
    ...(v.layout.perturb?.model ? [{ variant: v.name, model: v.layout.perturb.model }] : []),
  ]);
}

/** A budget is blind to a model without a price: such a run is refused before it starts. */
export function unpricedModel(suite: SuiteSpec, pricing: Pricing): { variant: string; model: string } | null {
  return modelsOf(suite).find((m) => priceFor(pricing, m.model) === null) ?? null;
}

/** What the finished samples of a run folder cost (after a resume dropped the unfinished ones). */
export async function recordedCost(runDir: string): Promise<number> {
  let total = 0;
  await eachJsonLine(join(runDir, 'samples.jsonl'), (line) => {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      return; // a torn line is no record
    }
    const parsed = SampleRecordSchema.safeParse(raw);
    if (parsed.success && parsed.data.status !== 'skipped') total += parsed.data.cost_usd ?? 0;
  });
  return total;
}

/** The record of a sample that never started because the run reached its budget. */
export function skippedRecord(sample: Sample, runId: string, limitUsd: number): SampleRecord {
  const now = new Date().toISOString();
  return {
    schema: SCHEMA_VERSION,
    run_id: runId,
    sample_id: sample.sampleId,
    task_id: sample.task.id,
    variant: sample.variant.name,
    epoch: sample.epoch,
    tags: sample.task.spec.tags,
    status: 'skipped',
    stop_reason: 'budget',
    passed: null,
    score: null,
    score_detail: null,
    final_answer: null,
    turns: 0,
    input_tokens: 0,
    cached_tokens: 0,
    cache_write_tokens: 0,
    output_tokens: 0,
    reasoning_tokens: 0,
    bytes_sent: 0,
    tool_calls: 0,
    tool_errors: 0,
    compactions: 0,
    cache_breaks: 0,
    cost_usd: 0,
    started_at: now,
    ended_at: now,
    wall_ms: 0,
    error: { kind: 'budget', message: `not run: the run reached its budget of $${limitUsd}` },
  };
}
