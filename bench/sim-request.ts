import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { type ChildSim, startChildSim } from './child-sim.js';
import { type Target, target } from './targets.js';
import { round } from './util.js';

/**
 * The sim's CPU per Codex-sized request (issue 13): `turnbench sim` in its own process, its CPU read
 * from /proc around a batch of streamed Responses requests of 36-44 KB sent over HTTP, divided by the
 * batch size (HTTP parsing, validation, tokenising, the cache model, the script and the SSE reply all
 * included). Two kinds of request:
 * - in a conversation: each request repeats the previous one plus one tool call and its output, as
 *   Codex sends them; the earlier turns of each conversation were sent before the measured batch;
 * - cold: a 40 KB request whose every tool output the sim has never seen (nothing to reuse).
 */

const TASK = 'Sim request benchmark: run the commands, then report.';
const MIN_BYTES = 36_000;
const MAX_BYTES = 44_000;
const CONVERSATIONS = 40;
const COLD_REQUESTS = 200;
const LIMIT_MS = 2;

const TOOLS = ['shell', 'apply_patch', 'read_file', 'write_file', 'update_plan'].map((name) => ({
  type: 'function',
  name,
  description: `The ${name} tool.`,
  parameters: { type: 'object', properties: { arg: { type: 'string' } } },
  strict: false,
}));

/** ~1.2 KB of command output that differs for every conversation and turn. */
function toolOutput(conversation: number, turn: number): string {
  const words: string[] = [];
  for (let i = 0; i < 96; i++)
    words.push(`c${conversation}l${turn}_${(i * 7919 + turn * 31 + conversation * 104729) % 100_003}`);
  return words.join(' ');
}

/** Request bodies of one conversation, turn by turn, until they pass MAX_BYTES. */
function conversation(seed: number): string[] {
  const input: unknown[] = [{ role: 'user', content: TASK }];
  const bodies: string[] = [];
  for (let turn = 0; ; turn++) {
    const body = JSON.stringify({
      model: 'sim-1',
      instructions: 'You are a coding agent. Follow the task.',
      tools: TOOLS,
      input,
      store: false,
      stream: true,
      prompt_cache_key: `conversation-${seed}`,
    });
    if (body.length > MAX_BYTES) return bodies;
    bodies.push(body);
    const callId = `call_s${turn}_0_bench${seed}x${turn}`;
    input.push({
      type: 'function_call',
      call_id: callId,
      name: 'shell',
      arguments: `{"command":["ls","${turn}"]}`,
    });
    input.push({ type: 'function_call_output', call_id: callId, output: toolOutput(seed, turn) });
  }
}

async function send(url: string, body: string): Promise<void> {
  const res = await fetch(`${url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer bench-not-a-secret' },
    body,
  });
  const text = await res.text();
  if (!res.ok || !text.includes('response.completed'))
    throw new Error(`sim answered ${res.status} without response.completed: ${text.slice(0, 200)}`);
}

/** Sim CPU (ms) spent on `bodies`, sent one after the other; null where /proc is not there. */
async function simCpuOf(sim: ChildSim, bodies: string[]): Promise<number | null> {
  const before = sim.cpuMs();
  for (const body of bodies) await send(sim.url, body);
  const after = sim.cpuMs();
  return before === null || after === null ? null : after - before;
}

function writeSuite(root: string): string {
  const dir = join(root, 'tasks', 't0');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'task.yaml'),
    toYaml({
      id: 't0',
      instructions: TASK,
      scorer: { type: 'match', mode: 'contains', expected: 'done' },
      sim: { steps: [{ repeat: 200, shell: 'echo {{i}}' }], final: 'done' },
    }),
  );
  const file = join(root, 'suite.yaml');
  writeFileSync(
    file,
    toYaml({
      name: 'bench-sim-request',
      tasks: ['tasks/*'],
      variants: [{ name: 'v', model: 'sim-1', instructions: 'You are a coding agent. Follow the task.' }],
    }),
  );
  return file;
}

export async function benchSimRequest(): Promise<{ figures: Record<string, unknown>; targets: Target[] }> {
  const root = mkdtempSync(join(tmpdir(), 'turnbench-bench-sim-request-'));
  let sim: ChildSim | null = null;
  try {
    sim = await startChildSim(writeSuite(root));
    const conversations = Array.from({ length: CONVERSATIONS }, (_, c) => conversation(c));
    // The turns below 36 KB first (the conversation so far), then the measured 36-44 KB turns.
    for (const bodies of conversations)
      for (const body of bodies.filter((b) => b.length < MIN_BYTES)) await send(sim.url, body);
    const inConversation = conversations.flatMap((bodies) => bodies.filter((b) => b.length >= MIN_BYTES));
    const warmCpu = await simCpuOf(sim, inConversation);
    const cold = Array.from({ length: COLD_REQUESTS }, (_, i) => conversation(CONVERSATIONS + i).at(-1)!);
    const coldCpu = await simCpuOf(sim, cold);
    if (warmCpu === null || coldCpu === null)
      return { figures: { skipped: 'no /proc to read the sim CPU from' }, targets: [] };
    const mean = (xs: string[]) => Math.round(xs.reduce((n, b) => n + b.length, 0) / xs.length);
    const warmMs = warmCpu / inConversation.length;
    const coldMs = coldCpu / cold.length;
    return {
      figures: {
        in_conversation: {
          requests: inConversation.length,
          mean_bytes: mean(inConversation),
          sim_cpu_ms_per_request: round(warmMs, 3),
        },
        cold: { requests: cold.length, mean_bytes: mean(cold), sim_cpu_ms_per_request: round(coldMs, 3) },
        limit_ms: LIMIT_MS,
      },
      targets: [
        target({
          what: 'sim CPU per ~40 KB Responses request in a conversation (Codex-sized), over HTTP',
          figure: warmMs,
          baseline: LIMIT_MS,
          unit: 'ms CPU per request',
          limit: 1,
          how: `${inConversation.length} streamed requests of ${MIN_BYTES / 1000}-${MAX_BYTES / 1000} KB, each the previous turn plus one tool call and output, sent one at a time to \`turnbench sim\` in its own process; its utime+stime from /proc over the batch / requests`,
        }),
        target({
          what: 'sim CPU per ~40 KB Responses request seen cold (no item cached), over HTTP',
          figure: coldMs,
          baseline: LIMIT_MS,
          unit: 'ms CPU per request',
          limit: 1,
          how: `${cold.length} streamed requests of ~40 KB whose tool outputs the sim has never seen, one at a time; utime+stime from /proc over the batch / requests`,
        }),
      ],
    };
  } finally {
    await sim?.close();
    rmSync(root, { recursive: true, force: true });
  }
}
