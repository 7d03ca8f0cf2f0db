import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Response } from 'openai/resources/responses/responses';
import { emptyTotals } from '../../src/agent/index.js';
import { type RecordedUsage, RecordingProxy, SampleRecorder } from '../../src/agents/index.js';
import type { SimScript } from '../../src/config/index.js';
import { DEFAULT_LIMITS } from '../../src/config/index.js';
import { type SimServer, type SimTransport, startSimServer } from '../../src/sim/index.js';
import type { EventRecord, TurnRecord } from '../../src/telemetry/index.js';
import { type CodexExecResult, runCodexExec } from './codex.js';
import {
  type RecordingProxy as CaptureProxy,
  type RecordedExchange,
  startRecordingProxy,
} from './recording-proxy.js';

/**
 * A Codex 0.171 session with sub-agents against the sim, for the tests and the ingest fixture:
 * `codex exec` runs a first task (so that the session has a finished turn), then `codex exec
 * resume --last` runs a task whose script spawns a sub-agent with a task of its own and waits for
 * it, then spawns a second one started from its own history (`fork_context: true`) and waits for
 * it. Each sub-agent's requests are answered by its own task's script.
 *
 * Codex talks to turnbench's own recording proxy (the one `agent: codex` runs use, on a loopback
 * port), which keys every request to a conversation and checks each prompt against the previous
 * one of that conversation; behind it, over HTTP, a capturing proxy keeps every request's headers,
 * body and final Response (the WebSocket transport goes from the recording proxy to the sim
 * straight: the capturing proxy has no WebSocket relay).
 */

export const FIRST_TASK = 'Write the word ready to ready.txt.';
export const PARENT_TASK = 'Hand the count to one helper and the check to another, then report.';
export const CHILD_TASK = 'Write the numbers 1 2 3 to count.txt.';
export const FORK_TASK = 'Check what ready.txt says.';
export const FIRST_FINAL = 'Wrote ready.txt.';
export const PARENT_FINAL = 'Both helpers are done: count.txt holds 1 2 3, ready.txt says ready.';
export const CHILD_FINAL = 'Wrote 1 2 3 to count.txt.';
export const FORK_FINAL = 'ready.txt says ready.';

/** The model Codex is given: one of its catalogue (tools deferred behind tool_search) or one it does not know. */
export type SubAgentModel = 'gpt-5.5' | 'sim-exact';

export const FIRST_SCRIPT: SimScript = {
  steps: [{ tool: 'exec_command', args: { cmd: 'echo ready > ready.txt' } }],
  final: FIRST_FINAL,
  reasoning_tokens: 8,
};

/**
 * The parent's script, with its sub-agents' scripts in `agents`. On a model of Codex's catalogue
 * the sub-agent tools must be searched for first.
 */
export function parentScript(model: SubAgentModel): SimScript {
  const wait = { tool: 'wait_agent', args: { targets: ['{{output.agent_id}}'], timeout_ms: 120_000 } };
  return {
    steps: [
      ...(model === 'gpt-5.5'
        ? [{ tool: 'tool_search', args: { query: 'spawn a sub-agent', limit: 8 } }]
        : []),
      { tool: 'spawn_agent', args: { message: CHILD_TASK } },
      wait,
      { tool: 'spawn_agent', args: { message: FORK_TASK, fork_context: true } },
      wait,
    ],
    final: PARENT_FINAL,
    reasoning_tokens: 8,
    agents: {
      [CHILD_TASK]: {
        steps: [{ tool: 'exec_command', args: { cmd: 'echo 1 2 3 > count.txt' } }],
        final: CHILD_FINAL,
        reasoning_tokens: 8,
      },
      [FORK_TASK]: {
        steps: [{ tool: 'exec_command', args: { cmd: 'cat ready.txt' } }],
        final: FORK_FINAL,
        reasoning_tokens: 8,
      },
    },
  };
}

export interface SubAgentRunOptions {
  root: string;
  model: SubAgentModel;
  websockets: boolean;
  seed?: number;
}

export interface SubAgentRun {
  codexHome: string;
  work: string;
  runs: CodexExecResult[];
  sim: SimServer;
  /** Every Responses API response the sim sent, with its transport. */
  responses: Array<{ response: Response; transport: SimTransport }>;
  /** What crossed the wire behind the recording proxy (HTTP only; empty over WebSocket). */
  exchanges: RecordedExchange[];
  /** The recording proxy's records of the sample, and its per-request usage for the usage check. */
  turns: TurnRecord[];
  events: EventRecord[];
  usages: RecordedUsage[];
  /** The rollout files Codex wrote, sorted by name (parents first: the name starts with the creation time). */
  rollouts: string[];
  close(): Promise<void>;
}

function filesUnder(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) filesUnder(path, out);
    else if (/^rollout-.*\.jsonl$/.test(name)) out.push(path);
  }
  return out;
}

export async function runSubAgentSession(o: SubAgentRunOptions): Promise<SubAgentRun> {
  const responses: SubAgentRun['responses'] = [];
  const sim = await startSimServer({
    seed: o.seed ?? 11,
    onResponse: (response, transport) => responses.push({ response, transport }),
  });
  sim.scripts.register(FIRST_TASK, FIRST_SCRIPT);
  sim.scripts.register(PARENT_TASK, parentScript(o.model));
  let capture: CaptureProxy | undefined;
  if (!o.websockets) capture = await startRecordingProxy(sim.url);

  const turns: TurnRecord[] = [];
  const events: EventRecord[] = [];
  const recorder = new SampleRecorder({
    identity: { runId: 'subagents', sampleId: 's', taskId: 't', variant: 'v', epoch: 1 },
    provider: 'sim',
    costOf: () => 0,
    sink: { turn: (t) => turns.push(t), event: (e) => events.push(e) },
    totals: emptyTotals(),
    limits: DEFAULT_LIMITS,
    onLimit: () => {},
  });
  const proxy = new RecordingProxy();
  const listener = await proxy.openSample(
    {
      upstream: { baseURL: capture?.url ?? sim.url, apiKey: 'sim-key' },
      recorder,
      retries: 'agent',
      signal: new AbortController().signal,
      runId: 'subagents',
      sampleId: 's',
      gate: null,
    },
    { tcp: true },
  );
  const close = async () => {
    await listener.close();
    await proxy.close();
    await capture?.close();
    await sim.close();
  };
  try {
    const codexHome = join(o.root, 'codex-home');
    const work = join(o.root, 'work');
    mkdirSync(work, { recursive: true });
    const config = {
      model: o.model,
      baseUrl: listener.url ?? '',
      provider: 'custom' as const,
      reasoningEffort: 'low',
      requestMaxRetries: 0,
      streamMaxRetries: 0,
      websockets: o.websockets,
    };
    const runs: CodexExecResult[] = [];
    for (const [prompt, resumeLast] of [
      [FIRST_TASK, false],
      [PARENT_TASK, true],
    ] as const) {
      const run = await runCodexExec({
        codexHome,
        cwd: work,
        prompt,
        resumeLast,
        config,
        timeoutMs: 150_000,
      });
      runs.push(run);
      if (run.code !== 0) throw new Error(`codex exec exited ${run.code}\n${run.stderr.slice(-4000)}`);
    }
    return {
      codexHome,
      work,
      runs,
      sim,
      responses,
      exchanges: capture?.exchanges ?? [],
      turns,
      events,
      usages: recorder.usages,
      rollouts: filesUnder(join(codexHome, 'sessions')).sort((a, b) =>
        (a.split('/').at(-1) ?? '').localeCompare(b.split('/').at(-1) ?? ''),
      ),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
