import { describe, expect, it } from 'vitest';
import { emptyTotals, runAgent } from '../../../src/agent/index.js';
import { DEFAULT_LIMITS, VariantSchema } from '../../../src/config/index.js';
import type {
  CompactRequest,
  CompactResponse,
  ModelClient,
  ModelRequest,
  ModelResponse,
  NormalisedUsage,
  OutputItem,
} from '../../../src/model/index.js';
import type { EventRecord, TurnRecord } from '../../../src/telemetry/index.js';
import { FakeSandbox, ok } from '../tools/fake-sandbox.js';

/**
 * The records of the agent loop's telemetry path (prompt layout -> turn tracker -> cache forensics ->
 * sink), compared with a golden file written by the code before the issue-13 work on that path (lazy
 * token counts, memoised hashes). Everything here is deterministic: a scripted model whose usage
 * follows a block prefix cache, a fake sandbox, a fixed clock. Only wall-clock fields are dropped.
 * If a change to the records is intended, regenerate the file (`vitest -u`) and say why in the commit.
 */

/** A scripted model: `turns - 1` shell calls (with reasoning), then an answer; a prefix cache over blocks. */
class ScriptedModel implements ModelClient {
  readonly provider = 'openai';
  readonly api = 'responses' as const;
  private requests = 0;
  private readonly seen: string[][] = [];

  constructor(
    private readonly turns: number,
    private readonly reportsCache = true,
  ) {}

  private usage(blocks: string[], outputTokens: number): NormalisedUsage {
    const tokens = blocks.map((block) => Math.ceil(block.length / 4) + 3);
    let best = 0;
    for (const old of this.seen) {
      let shared = 0;
      for (let i = 0; i < Math.min(old.length, blocks.length) && old[i] === blocks[i]; i++)
        shared += tokens[i]!;
      best = Math.max(best, shared);
    }
    this.seen.push(blocks);
    const input = tokens.reduce((a, b) => a + b, 0);
    const cached = best < 1024 ? 0 : Math.min(input, 1024 + Math.floor((best - 1024) / 128) * 128);
    return {
      inputTokens: input,
      cachedTokens: this.reportsCache ? cached : null,
      cacheWriteTokens: this.reportsCache ? 0 : null,
      cacheWrite12hTokens: null,
      outputTokens,
      reasoningTokens: 7,
    };
  }

  async respond(req: ModelRequest): Promise<ModelResponse> {
    this.requests += 1;
    const n = this.requests;
    const blocks = [
      `${req.model}|${req.promptCacheKey}|${req.reasoningEffort}|${JSON.stringify(req.tools)}`,
      req.instructions,
      ...req.input.map((item) => JSON.stringify(item)),
    ];
    const output: OutputItem[] =
      n < this.turns
        ? [
            {
              type: 'reasoning',
              id: `rs_${n}`,
              summary: [{ type: 'summary_text', text: `step ${n}` }],
              encrypted_content: `enc_${n}`,
            },
            {
              type: 'function_call',
              id: `fc_${n}`,
              call_id: `call_${n}`,
              name: 'shell',
              arguments: JSON.stringify({ command: ['bash', '-lc', `echo step ${n}`] }),
              status: 'completed',
            },
          ]
        : [
            {
              type: 'message',
              id: `msg_${n}`,
              role: 'assistant',
              status: 'completed',
              content: [{ type: 'output_text', text: `done after ${n} turns`, annotations: [] }],
            },
          ];
    return {
      id: `resp_${n}`,
      model: req.model,
      output,
      usage: this.usage(blocks, 40 + n),
      ttftMs: 1,
      latencyMs: 2,
      bytesSent: JSON.stringify(req).length,
      cacheDiagnostics: null,
      retries: 0,
    };
  }

  async compact(req: CompactRequest): Promise<CompactResponse> {
    const first = req.input[0]!;
    return {
      id: `cmp_${this.requests}`,
      output: [first, { type: 'compaction', encrypted_content: `summary of ${req.input.length} items` }],
      usage: this.usage([req.instructions, ...req.input.map((item) => JSON.stringify(item))], 90),
      latencyMs: 3,
      bytesSent: JSON.stringify(req).length,
    };
  }
}

const TASK = `Make the build pass.\n${'The repository has a Makefile, a src folder and tests.\n'.repeat(90)}`;

const VARIANTS: Record<string, Record<string, unknown>> = {
  stable: {},
  'turn-in-instructions': { instructions: 'You are a coding agent. This is turn {{turn}}.' },
  'rotating-tools': { layout: { tool_order: 'rotate_per_turn' } },
  'drop-tool': { layout: { perturb: { at_turn: 3, change: 'drop_tool' } } },
  'switch-model': { layout: { perturb: { at_turn: 3, change: 'switch_model', model: 'gpt-5.6' } } },
  'edit-environment': { layout: { perturb: { at_turn: 4, change: 'edit_environment' } } },
  'effort-change': {
    reasoning_effort: 'low',
    layout: { perturb: { at_turn: 3, change: 'change_reasoning_effort' } },
  },
  'key-change': { layout: { perturb: { at_turn: 3, change: 'change_cache_key' } } },
  'reorder-tools': { layout: { perturb: { at_turn: 5, change: 'reorder_tools' } } },
  'endpoint-compaction': { compaction: { policy: 'endpoint', threshold: 1400 } },
  'truncate-compaction': { compaction: { policy: 'truncate', threshold: 1500 } },
  'previous-response-id': { mode: 'previous_response_id' },
  'no-cache-figures': {},
};

async function recordsOf(name: string, overrides: Record<string, unknown>) {
  const variant = VariantSchema.parse({
    name,
    provider: 'openai',
    model: 'gpt-5',
    instructions: 'You are a coding agent. Work in the workspace and run the tests before answering.',
    developer_message: 'Sandbox: workspace-write, no network.',
    ...overrides,
  });
  const turns: TurnRecord[] = [];
  const events: EventRecord[] = [];
  await runAgent({
    identity: { runId: 'golden', sampleId: `${name}__e1`, taskId: 't', variant: name, epoch: 1 },
    variant,
    taskText: TASK,
    limits: DEFAULT_LIMITS,
    model: new ScriptedModel(8, name !== 'no-cache-figures'),
    sandbox: new FakeSandbox(ok('compiled 3 files\n')),
    sink: { turn: (r) => turns.push(r), event: (e) => events.push(e) },
    signal: new AbortController().signal,
    env: { cwd: '/workspace', shell: 'bash', network: false },
    promptCacheKey: `key-${name}`,
    costOf: (_model, usage) => (usage.inputTokens * 2 + usage.outputTokens * 8) / 1e6,
    totals: emptyTotals(),
    now: () => new Date('2026-05-01T12:00:00Z'),
  });
  return {
    turns: turns.map(({ started_at: _a, latency_ms: _b, ttft_ms: _c, ...rest }) => rest),
    events: events.map((event) => {
      const { at: _at, ...rest } = event as EventRecord & { duration_ms?: number };
      if ('duration_ms' in rest) delete (rest as { duration_ms?: number }).duration_ms;
      return rest;
    }),
  };
}

describe('turn and event records of the loop', () => {
  it('are the same as before the telemetry path was restructured (golden file)', async () => {
    const all: Record<string, unknown> = {};
    for (const [name, overrides] of Object.entries(VARIANTS)) all[name] = await recordsOf(name, overrides);
    // Guard against a golden file that checks nothing: the variants break, compact and hit.
    const flat = Object.values(all).flatMap((v) => (v as { turns: TurnRecord[] }).turns);
    expect([...new Set(flat.map((t) => t.cache_class))]).toEqual(
      expect.arrayContaining([
        'first_turn',
        'hit',
        'harness_break',
        'provider_miss',
        'unknown',
        'not_checked',
      ]),
    );
    expect(flat.some((t) => t.prefix.reason === 'compacted')).toBe(true);
    expect(flat.filter((t) => (t.prefix.lost_tokens ?? 0) > 0).length).toBeGreaterThan(10);
    await expect(`${JSON.stringify(all, null, 1)}\n`).toMatchFileSnapshot('__golden__/loop-records.json');
  });
});
