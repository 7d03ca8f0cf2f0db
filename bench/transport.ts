import type { ResponseInputItem } from 'openai/resources/responses/responses';
import { type ModelRequest, ResponsesClient, type ToolDefinition } from '../src/model/index.js';
import { startSimServer } from '../src/sim/index.js';
import { median, percentile, round } from './util.js';

/**
 * Responses transports: a 50-turn conversation, the same layout against the same sim (a fresh
 * one per conversation, zero simulated latency), through turnbench's own Responses client over
 * HTTP and over the WebSocket transport. Per turn: bytes sent (the HTTP body or the WebSocket
 * message, as counted by the client) and the client's request time (send to last event). Each
 * transport runs ROUNDS times, alternating, and the medians pool every turn of every round.
 * A third run shows what the WebSocket mode is for: the same conversation continued by
 * `previous_response_id` with only the new items (`store: false`, the connection's own state),
 * as Codex does.
 */

const TASK = 'Transport benchmark: inspect the repository, one command per turn, then report.';
const TURNS = 50;
const ROUNDS = 3;

type Mode = 'http' | 'websocket' | 'websocket_incremental';

interface TurnFigures {
  bytes: number;
  ms: number;
  ttftMs: number | null;
  inputTokens: number;
}

const TOOLS: ToolDefinition[] = ['shell', 'apply_patch', 'read_file', 'write_file', 'update_plan'].map(
  (name) => ({
    type: 'function',
    name,
    description: `The ${name} tool.`,
    parameters: { type: 'object', properties: { arg: { type: 'string' } } },
    strict: false,
  }),
);

function toolOutput(turn: number): string {
  // ~480 varied tokens per tool output, so 50 turns reach ~25k tokens
  const words: string[] = [];
  for (let i = 0; i < 96; i++) words.push(`line${turn}_${(i * 7919 + turn * 31) % 10007}`);
  return words.join(' ');
}

async function conversation(mode: Mode): Promise<TurnFigures[]> {
  const sim = await startSimServer({ seed: 1 });
  sim.scripts.register(TASK, {
    steps: [{ repeat: TURNS - 1, shell: 'ls -la part{{i}}' }],
    final: 'Inspected every part.',
    reasoning_tokens: 0,
  });
  const transport = mode === 'http' ? 'http' : 'websocket';
  const client = new ResponsesClient({ baseURL: sim.url, apiKey: 'bench', provider: 'sim', transport });
  const history: ResponseInputItem[] = [{ role: 'user', content: TASK }];
  const turns: TurnFigures[] = [];
  let known = 0; // items the server holds behind the previous response (incremental mode)
  let previous: string | undefined;
  try {
    for (let t = 0; t < TURNS; t++) {
      const incremental = mode === 'websocket_incremental' && previous !== undefined;
      const req: ModelRequest = {
        model: 'sim-1',
        instructions: 'You are a coding agent. Follow the task.',
        tools: TOOLS,
        input: incremental ? history.slice(known) : [...history],
        store: false,
        parallelToolCalls: true,
        promptCacheKey: 'bench',
        ...(incremental ? { previousResponseId: previous } : {}),
      };
      const r = await client.respond(req);
      turns.push({ bytes: r.bytesSent, ms: r.latencyMs, ttftMs: r.ttftMs, inputTokens: r.usage.inputTokens });
      for (const item of r.output) history.push(item as ResponseInputItem);
      known = history.length;
      previous = r.id;
      for (const item of r.output) {
        if (item.type === 'function_call') {
          history.push({ type: 'function_call_output', call_id: item.call_id, output: toolOutput(t) });
        }
      }
    }
    if (sim.traffic.websocketUpgrades > 1) throw new Error(`${mode}: expected one connection`);
  } finally {
    client.close();
    await sim.close();
  }
  return turns;
}

function summarise(rounds: TurnFigures[][]) {
  const all = rounds.flat();
  const first = rounds[0] ?? [];
  return {
    bytes_sent_total: first.reduce((n, t) => n + t.bytes, 0),
    bytes_sent_last_turn: first.at(-1)?.bytes ?? 0,
    request_ms_median: round(median(all.map((t) => t.ms)), 3),
    request_ms_p95: round(
      percentile(
        all.map((t) => t.ms),
        0.95,
      ),
      3,
    ),
    ttft_ms_median: round(median(all.map((t) => t.ttftMs ?? 0)), 3),
    final_prompt_tokens: first.at(-1)?.inputTokens ?? 0,
  };
}

export async function benchTransport(): Promise<Record<string, unknown>> {
  // warm up both paths (module loading, the tokenizer, the first connection) outside the figures
  await conversation('http');
  await conversation('websocket');
  const runs: Record<Mode, TurnFigures[][]> = { http: [], websocket: [], websocket_incremental: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const mode of ['http', 'websocket', 'websocket_incremental'] as const) {
      runs[mode].push(await conversation(mode));
    }
  }
  const http = summarise(runs.http);
  const websocket = summarise(runs.websocket);
  const incremental = summarise(runs.websocket_incremental);
  if (http.final_prompt_tokens !== websocket.final_prompt_tokens) {
    throw new Error('the transports did not see the same conversation');
  }
  return {
    turns: TURNS,
    rounds: ROUNDS,
    layout: 'stateless: the full history every turn, store: false, 5 tools, zero simulated latency',
    http,
    websocket,
    ratio_websocket_vs_http: {
      bytes_sent_total: round(websocket.bytes_sent_total / http.bytes_sent_total, 4),
      request_ms_median: round(websocket.request_ms_median / http.request_ms_median, 3),
    },
    websocket_incremental: {
      layout: 'previous_response_id + only the new items over one connection, store: false',
      ...incremental,
      ratio_vs_http: {
        bytes_sent_total: round(incremental.bytes_sent_total / http.bytes_sent_total, 4),
        request_ms_median: round(incremental.request_ms_median / http.request_ms_median, 3),
      },
    },
  };
}
