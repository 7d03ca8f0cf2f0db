import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyTotals, runAgent } from '../../../src/agent/index.js';
import { DEFAULT_LIMITS, VariantSchema, type VariantSpec } from '../../../src/config/index.js';
import { createModelClient } from '../../../src/model/index.js';
import { LocalSandboxProvider } from '../../../src/sandbox/index.js';
import {
  type EventRecord,
  EventRecordSchema,
  type TurnRecord,
  TurnRecordSchema,
} from '../../../src/telemetry/index.js';
import { listenOnLoopback } from '../../helpers/loopback.js';

/**
 * A stand-in for a reasoning model behind the Responses API, speaking SSE like the real one: every
 * response starts with a `reasoning` item, carrying `encrypted_content` only when the request asked
 * for it (`include: ["reasoning.encrypted_content"]`), then a shell call (three times) or the final
 * answer. It keeps every request body as received, byte for byte.
 *
 * (The built-in sim does not emit reasoning items yet; when it does, this belongs against it.)
 */
class FakeReasoningModel {
  readonly bodies: string[] = [];
  private server: Server | null = null;

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk) => {
        raw += chunk;
      });
      req.on('end', () => {
        this.bodies.push(raw);
        const body = JSON.parse(raw) as { model: string; include?: string[] };
        const turn = this.bodies.length;
        const encrypted = body.include?.includes('reasoning.encrypted_content');
        const reasoning = {
          id: `rs_${turn}`,
          type: 'reasoning',
          summary: [{ type: 'summary_text', text: `thinking about step ${turn}` }],
          ...(encrypted ? { encrypted_content: `gAAAA-${turn}-${randomUUID()}` } : {}),
        };
        const next =
          turn <= 3
            ? {
                id: `fc_${turn}`,
                type: 'function_call',
                status: 'completed',
                call_id: `call_${turn}`,
                name: 'shell',
                arguments: JSON.stringify({ command: ['echo', `step ${turn}`] }),
              }
            : {
                id: `msg_${turn}`,
                type: 'message',
                role: 'assistant',
                status: 'completed',
                content: [{ type: 'output_text', text: 'Done. Result: ok', annotations: [] }],
              };
        const response = {
          id: `resp_${turn}`,
          object: 'response',
          created_at: 1,
          status: 'completed',
          model: body.model,
          output: [reasoning, next],
          usage: {
            input_tokens: Math.ceil(raw.length / 4),
            input_tokens_details: { cached_tokens: 0 },
            output_tokens: 40,
            output_tokens_details: { reasoning_tokens: 25 },
            total_tokens: Math.ceil(raw.length / 4) + 40,
          },
        };
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(
          `event: response.completed\ndata: ${JSON.stringify({ type: 'response.completed', sequence_number: 0, response })}\n\n`,
        );
      });
    });
    this.server = server;
    return `http://127.0.0.1:${await listenOnLoopback(server)}/v1`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

const sandboxes = new LocalSandboxProvider();

async function run(model: FakeReasoningModel, baseURL: string, overrides: Partial<VariantSpec>) {
  const variant = VariantSchema.parse({
    name: 'v',
    provider: 'openai',
    model: 'gpt-5-mini',
    instructions: 'You are a careful agent.',
    tools: ['shell'],
    ...overrides,
  });
  const sandbox = await sandboxes.create({
    image: 'local',
    workdir: '/workspace',
    files: [],
    labels: { 'turnbench.run': 'test' },
    limits: { memoryMb: 256, cpus: 1, pids: 64 },
    network: false,
  });
  const turns: TurnRecord[] = [];
  const events: EventRecord[] = [];
  const client = createModelClient(variant, { baseURL, apiKey: 'test' });
  model.bodies.length = 0;
  try {
    const result = await runAgent({
      identity: { runId: 'r', sampleId: 's', taskId: 't', variant: variant.name, epoch: 1 },
      variant,
      taskText: 'Run the three steps.',
      limits: DEFAULT_LIMITS,
      model: client,
      sandbox,
      sink: {
        turn: (r) => turns.push(TurnRecordSchema.parse(r)),
        event: (e) => events.push(EventRecordSchema.parse(e)),
      },
      signal: new AbortController().signal,
      env: { cwd: sandbox.workdir, shell: 'bash', network: false },
      promptCacheKey: 'k',
      costOf: () => 0,
      totals: emptyTotals(),
    });
    const bodies = model.bodies.map((raw) => ({ raw, json: JSON.parse(raw) as RequestBody }));
    return { result, turns, events, bodies };
  } finally {
    await sandbox.destroy();
  }
}

interface RequestBody {
  store: boolean;
  include?: string[];
  input: Array<{ type?: string; id?: string; encrypted_content?: string }>;
}

describe('reasoning carried without server state', () => {
  const model = new FakeReasoningModel();
  let baseURL = '';
  let carriedBytes = 0;
  beforeAll(async () => {
    baseURL = await model.start();
  });
  afterAll(async () => {
    await model.stop();
  });

  it('asks for encrypted reasoning and resends every reasoning item, in order, byte-identical turn after turn', async () => {
    const { result, turns, events, bodies } = await run(model, baseURL, {});
    expect(result.stopReason).toBe('final');
    expect(bodies).toHaveLength(4);
    for (const b of bodies) {
      expect(b.json.store).toBe(false);
      expect(b.json.include).toEqual(['reasoning.encrypted_content']);
    }
    // each request's input is the previous request's input, byte for byte, then the new items
    for (let k = 1; k < bodies.length; k++) {
      const before = (bodies[k - 1]?.json.input ?? []).map((item) => JSON.stringify(item));
      const now = (bodies[k]?.json.input ?? []).map((item) => JSON.stringify(item));
      expect(now.slice(0, before.length)).toEqual(before);
      // the new items: the reasoning item (with its encrypted content), the call, its output
      expect(bodies[k]?.json.input.slice(before.length).map((i) => i.type)).toEqual([
        'reasoning',
        'function_call',
        'function_call_output',
      ]);
    }
    // in the last request: every reasoning item so far, in order, each with its encrypted content
    const last = bodies.at(-1)?.json.input ?? [];
    const reasoning = last.filter((i) => i.type === 'reasoning');
    expect(reasoning.map((r) => r.id)).toEqual(['rs_1', 'rs_2', 'rs_3']);
    for (const r of reasoning) expect(r.encrypted_content).toMatch(/^gAAAA-\d-/);
    // the same bytes each time: a reasoning item's text in request 2 is in requests 3 and 4 unchanged
    const first = JSON.stringify(bodies[1]?.json.input.find((i) => i.id === 'rs_1'));
    expect(first).toContain('"encrypted_content"');
    for (const b of bodies.slice(2)) expect(b.raw).toContain(first);

    // so the prefix check finds every turn an exact extension of the last
    const agent = turns.filter((t) => t.kind === 'agent');
    expect(agent.map((t) => t.prefix.extends_previous)).toEqual([null, true, true, true]);
    expect(events.filter((e) => e.type === 'cache_break')).toEqual([]);
    expect(agent.every((t) => t.reasoning_tokens === 25)).toBe(true);
    carriedBytes = agent.reduce((sum, t) => sum + (t.bytes_sent ?? 0), 0);
  });

  it('with carry_reasoning off asks for none and leaves reasoning out of the history, still without a break', async () => {
    const { bodies, turns } = await run(model, baseURL, { carry_reasoning: false });
    expect(bodies).toHaveLength(4);
    for (const b of bodies) {
      expect(b.json.include).toBeUndefined();
      expect(b.json.input.some((i) => i.type === 'reasoning')).toBe(false);
    }
    expect(turns.map((t) => t.prefix.extends_previous)).toEqual([null, true, true, true]);
    // what it saves: the reasoning items are not resent (it costs the model its earlier reasoning)
    expect(carriedBytes).toBeGreaterThan(0);
    expect(turns.reduce((sum, t) => sum + (t.bytes_sent ?? 0), 0)).toBeLessThan(carriedBytes);
  });

  it('leaves out reasoning items without encrypted content when it did not ask (a model that does not reason)', async () => {
    const { bodies } = await run(model, baseURL, { model: 'gpt-4.1', reasoning_effort: undefined });
    for (const b of bodies) {
      expect(b.json.include).toBeUndefined();
      expect(b.json.input.some((i) => i.type === 'reasoning')).toBe(false);
    }
  });
});
