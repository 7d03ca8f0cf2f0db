import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response, ResponseOutputItem } from 'openai/resources/responses/responses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCodexUsage, readSessionLog } from '../../../src/agents/index.js';
import { loadPricing } from '../../../src/config/index.js';
import { type GroupBy, ingestLogs, readCodexRollout } from '../../../src/ingest/index.js';
import type { IngestedRequest } from '../../../src/ingest/types.js';
import {
  countO200kTokens,
  fingerprintItems,
  renderedResponsesItem,
  type SampleRecord,
  SampleRecordSchema,
  type TurnRecord,
  TurnRecordSchema,
} from '../../../src/telemetry/index.js';
import { stopCodexRuns } from '../../helpers/codex.js';
import {
  CHILD_FINAL,
  CHILD_TASK,
  FORK_FINAL,
  FORK_TASK,
  PARENT_FINAL,
  PARENT_TASK,
  runSubAgentSession,
  type SubAgentRun,
} from '../../helpers/codex-subagents.js';
import type { RecordedExchange } from '../../helpers/recording-proxy.js';

/**
 * The real Codex CLI 0.171 (the pinned binary) runs sub-agents against the sim: a resumed session
 * whose script spawns one sub-agent with a task of its own and waits for it, then one started from
 * its own history (`fork_context`) and waits for it (test/helpers/codex-subagents.ts). Codex talks
 * to turnbench's recording proxy, as in an `agent: codex` run. Checked: the sim answers every
 * request of the parent and of both sub-agents; Codex accepts the sim's namespaced sub-agent calls
 * (and, on a model of its catalogue, its client tool search first); the proxy keeps each thread as
 * a conversation of its own; Codex's own logs (three rollout files) agree with the proxy request by
 * request; and `turnbench ingest` of those logs gives the proxy's usage per request, once each.
 */

type Item = Record<string, unknown>;
const inputOf = (e: RecordedExchange): Item[] => (e.body?.input as Item[] | undefined) ?? [];
const toolsOf = (e: RecordedExchange): Item[] => (e.body?.tools as Item[] | undefined) ?? [];
const toolNames = (e: RecordedExchange) => toolsOf(e).map((t) => (t.name as string | undefined) ?? t.type);

/** The figures a request's record must have in every account of it. */
const figures = (t: TurnRecord) => [
  t.kind,
  t.input_tokens,
  t.cached_tokens,
  t.cache_write_tokens,
  t.output_tokens,
  t.reasoning_tokens,
];

function readRecords<T>(file: string, parse: (line: unknown) => T): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => parse(JSON.parse(l)));
}

async function ingest(run: SubAgentRun, resultsDir: string, groupBy: GroupBy) {
  const runId = `ingest-${groupBy}`;
  const warnings: string[] = [];
  await ingestLogs({
    inputs: [join(run.codexHome, 'sessions')],
    runId,
    resultsDir,
    groupBy,
    range: { from: null, to: null },
    since: null,
    until: null,
    pricing: await loadPricing(),
    onWarning: (w) => {
      warnings.push(w);
    },
  });
  const dir = join(resultsDir, runId);
  return {
    warnings,
    turns: readRecords(join(dir, 'turns.jsonl'), (l) => TurnRecordSchema.parse(l)),
    samples: readRecords(join(dir, 'samples.jsonl'), (l) => SampleRecordSchema.parse(l)),
  };
}

function callsOf(r: Response): ResponseOutputItem[] {
  return r.output.filter((o) => o.type === 'function_call' || o.type === 'tool_search_call');
}

describe('Codex 0.171 sub-agents against the sim, over HTTP (gpt-5.5: tools deferred behind tool_search)', () => {
  let run: SubAgentRun;
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'tb-codex-subagents-'));
    run = await runSubAgentSession({ root, model: 'gpt-5.5', websockets: false });
  }, 300_000);
  afterAll(async () => {
    stopCodexRuns();
    await run?.close();
    rmSync(root, { recursive: true, force: true });
  });

  const byThread = () => {
    const threads = new Map<string, RecordedExchange[]>();
    for (const e of run.exchanges) {
      const thread = e.headers['thread-id'] ?? '';
      threads.set(thread, [...(threads.get(thread) ?? []), e]);
    }
    return threads;
  };
  const exchangeOf = (responseId: string | null) =>
    run.exchanges.find((e) => e.response?.id === responseId) as RecordedExchange;

  it('finishes the task: both sub-agents did their work and the parent reported', () => {
    expect(run.runs.map((r) => r.code)).toEqual([0, 0]);
    expect(run.runs[1]!.lastMessage.trim()).toBe(PARENT_FINAL);
    expect(readFileSync(join(run.work, 'count.txt'), 'utf8')).toBe('1 2 3\n');
  });

  it('the sim answers every request of the parent and of both sub-agents', () => {
    expect(run.exchanges.length).toBeGreaterThanOrEqual(11);
    for (const e of run.exchanges) {
      expect(`${e.method} ${e.path} ${e.status}`).toMatch(/^POST \/v1\/responses 2\d\d$/);
      expect(e.response?.status).toBe('completed');
    }
    expect(run.sim.traffic.http['POST /v1/responses']).toBe(run.exchanges.length);
    expect(run.responses).toHaveLength(run.exchanges.length);
    expect(run.turns).toHaveLength(run.exchanges.length);
  });

  it('Codex accepts the calls: tool_search loads multi_agent_v1, spawn_agent and wait_agent name it', () => {
    const threads = byThread();
    expect(threads.size).toBe(3);
    const [parentThread] = [...threads.keys()];
    const parent = threads.get(parentThread!)!;
    // the parent is offered tool_search, never the sub-agent tools themselves
    expect(toolNames(parent[0]!)).toContain('tool_search');
    expect(toolNames(parent[0]!)).not.toContain('multi_agent_v1');
    const calls = parent.flatMap((e) => (e.response ? callsOf(e.response) : []));
    const summary = calls.map((c) =>
      c.type === 'function_call' ? `${c.namespace ?? '-'}.${c.name}` : `${c.type}`,
    );
    expect(summary).toEqual([
      '-.exec_command', // the first task
      'tool_search_call',
      'multi_agent_v1.spawn_agent',
      'multi_agent_v1.wait_agent',
      'multi_agent_v1.spawn_agent',
      'multi_agent_v1.wait_agent',
    ]);
    const last = inputOf(parent.at(-1)!);
    const outputOf = (callId: string) =>
      last.find((i) => String(i.type).endsWith('_output') && i.call_id === callId) as Item | undefined;
    // Codex ran the search, and every sub-agent call (none is refused as "unsupported call")
    const search = calls[1]!;
    const loaded = outputOf(search.type === 'tool_search_call' ? (search.call_id ?? '') : '');
    expect(loaded?.type).toBe('tool_search_output');
    expect(JSON.stringify(loaded?.tools)).toContain('"name":"multi_agent_v1"');
    const agentIds: string[] = [];
    for (const call of calls.slice(2)) {
      if (call.type !== 'function_call') throw new Error('function calls expected');
      const output = String(outputOf(call.call_id)?.output ?? '');
      if (call.name === 'spawn_agent') {
        agentIds.push((JSON.parse(output) as { agent_id: string }).agent_id);
      } else {
        // wait_agent names the agent spawned just before, and gets its final answer
        expect(JSON.parse(call.arguments)).toMatchObject({ targets: [agentIds.at(-1)] });
        const status = (JSON.parse(output) as { status: Record<string, { completed?: string }> }).status;
        expect(status[agentIds.at(-1)!]?.completed).toBe(agentIds.length === 1 ? CHILD_FINAL : FORK_FINAL);
      }
    }
    // the sub-agents are the other two threads, and they cannot spawn agents of their own
    expect(new Set(threads.keys())).toEqual(new Set([parentThread, ...agentIds]));
    for (const id of agentIds) {
      for (const e of threads.get(id)!) {
        expect(toolNames(e)).not.toContain('multi_agent_v1');
        expect(toolNames(e)).not.toContain('tool_search');
      }
    }
  });

  it("each sub-agent's requests run its own task; the forked one resends the parent's messages first", () => {
    const threads = [...byThread().values()];
    const userTexts = (e: RecordedExchange) =>
      inputOf(e)
        .filter((i) => i.role === 'user')
        .map((i) => (i.content as Array<{ text?: string }>).map((c) => c.text ?? '').join(''));
    const child = threads.find((t) => userTexts(t[0]!).includes(CHILD_TASK))!;
    const fork = threads.find((t) => userTexts(t[0]!).includes(FORK_TASK))!;
    expect(userTexts(child[0]!)).not.toContain(PARENT_TASK);
    expect(userTexts(fork[0]!)).toContain(PARENT_TASK);
    expect(userTexts(fork[0]!).at(-1)).toBe(FORK_TASK);
    for (const [thread, final] of [
      [child, CHILD_FINAL],
      [fork, FORK_FINAL],
    ] as const) {
      expect(thread.map((e) => e.response?.output.map((o) => o.type).join(','))).toEqual([
        'reasoning,function_call',
        'reasoning,message',
      ]);
      expect(thread.at(-1)!.response?.output_text).toBe(final);
    }
  });

  it('the recording proxy keys each thread as a conversation of its own (thread-id)', () => {
    for (const t of run.turns) {
      const e = exchangeOf(t.response_id);
      expect(t.conversation).toBe(e.headers['thread-id']);
      // all threads of the session share its id; a sub-agent names its parent
      expect(e.headers['session-id']).toBe(run.exchanges[0]!.headers['thread-id']);
    }
    expect(new Set(run.turns.map((t) => t.conversation)).size).toBe(3);
    // within each conversation, every prompt extends the previous one
    const seen = new Set<string>();
    for (const t of run.turns) {
      const first = !seen.has(t.conversation ?? '');
      seen.add(t.conversation ?? '');
      if (!first) expect(t.prefix.extends_previous, `turn ${t.turn}`).toBe(true);
    }
  });

  it("Codex's own logs agree with the proxy, request by request (the usage check of agent runs)", async () => {
    expect(run.rollouts).toHaveLength(3);
    const logs = await Promise.all(run.rollouts.map((f) => readSessionLog(f)));
    expect(checkCodexUsage(run.usages, logs)).toEqual({
      status: 'match',
      proxy_requests: run.turns.length,
      log_requests: run.turns.length,
      detail: null,
    });
  });

  it("ingest of the three logs gives the proxy's usage per request, each once, a sample per thread", async () => {
    const resultsDir = join(root, 'results');
    const { warnings, turns, samples } = await ingest(run, resultsDir, 'session');
    expect(warnings).toEqual([]);
    const byId = (id: string | null) => turns.filter((t) => t.response_id === id);
    for (const proxied of run.turns) {
      const ingested = byId(proxied.response_id);
      expect(ingested, `${proxied.response_id}`).toHaveLength(1);
      expect(figures(ingested[0]!)).toEqual(figures(proxied));
      expect(ingested[0]!.conversation).toBe(proxied.conversation);
      expect(ingested[0]!.sample_id).toBe(proxied.conversation);
    }
    expect(turns).toHaveLength(run.turns.length);
    const sum = (rows: TurnRecord[] | SampleRecord[]) =>
      rows.reduce((n, r) => n + r.input_tokens + r.output_tokens, 0);
    expect(sum(samples)).toBe(sum(run.turns));
    expect(samples.map((s) => s.tags.find((t) => t.startsWith('source:')))).toEqual([
      'source:exec',
      'source:subagent',
      'source:subagent',
    ]);
  });

  it('ingest rebuilds every request item for item, the forked sub-agent from the history copied into its log', async () => {
    const resultsDir = join(root, 'results-task');
    const { turns, samples } = await ingest(run, resultsDir, 'task');
    const rebuilt = new Map<string | null, IngestedRequest>();
    for (const file of run.rollouts)
      for await (const e of readCodexRollout(file))
        if (e.type === 'request') rebuilt.set(e.request.responseId, e.request);
    for (const t of turns) {
      const body = exchangeOf(t.response_id);
      // Codex sends its base instructions as the first input item; the log keeps them apart (in
      // session_meta), and ingest puts them back in front of the history
      expect(inputOf(body)[0]?.role).toBe('developer');
      expect(t.item_count, `${t.sample_id} turn ${t.turn}`).toBe(inputOf(body).length);
      const proxied = run.turns.find((p) => p.response_id === t.response_id)!;
      expect([t.item_count, t.prefix.diverged_at, t.prefix.reason]).toEqual([
        proxied.item_count,
        proxied.prefix.diverged_at,
        proxied.prefix.reason,
      ]);
      const sent = fingerprintItems(
        inputOf(body).slice(1).map(renderedResponsesItem),
        countO200kTokens,
      ).hashes;
      expect(rebuilt.get(t.response_id)?.prompt?.fingerprint.itemHashes.slice(1)).toEqual(sent);
    }
    // a sample per task: the parent's two, and each sub-agent's one (the copied parent tasks are not the fork's)
    const [parent, child, fork] = run.rollouts.map((f) => /([0-9a-f-]{36})\.jsonl$/.exec(f)?.[1]);
    expect(samples.map((s) => [s.sample_id, s.turns, s.stop_reason])).toEqual([
      [`${parent}/task-1`, 2, 'final'],
      [`${parent}/task-2`, 6, 'final'],
      [`${child}/task-1`, 2, 'final'],
      [`${fork}/task-1`, 2, 'final'],
    ]);
  });
});

describe('Codex 0.171 sub-agents over the Responses WebSocket transport (sim-exact: multi_agent_v1 declared)', () => {
  let run: SubAgentRun;
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'tb-codex-subagents-ws-'));
    run = await runSubAgentSession({ root, model: 'sim-exact', websockets: true });
  }, 300_000);
  afterAll(async () => {
    stopCodexRuns();
    await run?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('every thread opens a WebSocket of its own, and the sim answers every request on them', () => {
    expect(run.runs.map((r) => r.code)).toEqual([0, 0]);
    expect(run.runs[1]!.lastMessage.trim()).toBe(PARENT_FINAL);
    expect(run.sim.traffic.http['POST /v1/responses'] ?? 0).toBe(0);
    // one per codex process for the parent (two runs), one per sub-agent
    expect(run.sim.traffic.websocketUpgrades).toBe(4);
    expect(run.responses.every((r) => r.transport === 'websocket' && r.response.status === 'completed')).toBe(
      true,
    );
    expect(run.turns).toHaveLength(run.responses.length);
    const spawns = run.responses.flatMap((r) =>
      r.response.output.flatMap((o) =>
        o.type === 'function_call' && o.name === 'spawn_agent' ? [o.namespace] : [],
      ),
    );
    expect(spawns).toEqual(['multi_agent_v1', 'multi_agent_v1']);
  });

  it("the proxy's conversations are Codex's threads, and its figures are the logs' and ingest's (warm-ups aside)", async () => {
    const logs = await Promise.all(run.rollouts.map((f) => readSessionLog(f)));
    expect(new Set(run.turns.map((t) => t.conversation))).toEqual(new Set(logs.map((l) => l.sessionId)));
    const check = checkCodexUsage(run.usages, logs);
    expect(check.status, check.detail ?? '').toBe('match');
    const { warnings, turns } = await ingest(run, join(root, 'results'), 'session');
    expect(warnings).toEqual([]);
    const logged = run.turns.filter((t) => t.kind !== 'warmup');
    expect(run.turns.filter((t) => t.kind === 'warmup').length).toBe(4);
    const key = (t: TurnRecord) => `${t.conversation} ${t.response_id}`;
    expect(turns.map(key).sort()).toEqual(logged.map(key).sort());
    for (const t of logged)
      expect(figures(turns.find((i) => i.response_id === t.response_id)!)).toEqual(figures(t));
  });
});
