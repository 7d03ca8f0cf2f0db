import { emptyTotals, runAgent, type SampleTotals } from '../../../src/agent/index.js';
import {
  DEFAULT_LIMITS,
  type ResolvedLimits,
  type SimScript,
  type VariantSpec,
} from '../../../src/config/index.js';
import { costUsd, type loadPricing, priceFor } from '../../../src/config/pricing.js';
import { createModelClient, resolveEndpoint } from '../../../src/model/index.js';
import { LocalSandboxProvider, type Sandbox } from '../../../src/sandbox/index.js';
import type { SimServer } from '../../../src/sim/index.js';
import type { EventRecord, TurnRecord } from '../../../src/telemetry/index.js';
import { EventRecordSchema, TurnRecordSchema } from '../../../src/telemetry/index.js';

export interface Recorded {
  turns: TurnRecord[];
  events: EventRecord[];
  totals: SampleTotals;
  result: Awaited<ReturnType<typeof runAgent>>;
  sandbox: Sandbox;
}

export interface RunTaskOptions {
  limits?: ResolvedLimits;
  onTurn?: (t: TurnRecord) => void;
  /** Default: a text unique to this run, so tasks never share a prefix by accident. */
  taskText?: string;
  /** Default: unique to this run. */
  promptCacheKey?: string;
  /** The cwd the environment context names; default the sandbox's own (a fresh temp dir). */
  envCwd?: string;
}

const sandboxes = new LocalSandboxProvider();
let counter = 0;

/** One sample of the built-in loop against a sim, in a local sandbox, with every record kept. */
export async function runTaskOnSim(
  sim: SimServer,
  pricing: Awaited<ReturnType<typeof loadPricing>>,
  script: SimScript,
  v: VariantSpec,
  opts: RunTaskOptions = {},
): Promise<Recorded> {
  counter += 1;
  const taskText = opts.taskText ?? `Task ${counter}: ${script.final.slice(0, 40)} (${Math.random()})`;
  sim.scripts.register(taskText, script);
  const sandbox = await sandboxes.create({
    image: 'local',
    workdir: '/workspace',
    files: [{ path: 'data.txt', content: 'alpha\nbeta\ngamma\n' }],
    labels: { 'turnbench.run': 'test' },
    limits: { memoryMb: 256, cpus: 1, pids: 64 },
    network: false,
  });
  const turns: TurnRecord[] = [];
  const events: EventRecord[] = [];
  const totals = emptyTotals();
  const model = createModelClient(v, resolveEndpoint(v, {}, sim.url));
  try {
    const result = await runAgent({
      identity: { runId: 'r', sampleId: `s${counter}`, taskId: 't', variant: v.name, epoch: 1 },
      variant: v,
      taskText,
      limits: opts.limits ?? DEFAULT_LIMITS,
      model,
      sandbox,
      sink: {
        turn: (r) => {
          turns.push(TurnRecordSchema.parse(r));
          opts.onTurn?.(r);
        },
        event: (e) => events.push(EventRecordSchema.parse(e)),
      },
      signal: new AbortController().signal,
      env: { cwd: opts.envCwd ?? sandbox.workdir, shell: 'bash', network: false },
      promptCacheKey: opts.promptCacheKey ?? `key-${counter}`,
      costOf: (model, usage) => costUsd(priceFor(pricing, model), usage),
      totals,
    });
    return { turns, events, totals, result, sandbox };
  } finally {
    model.close?.();
  }
}
