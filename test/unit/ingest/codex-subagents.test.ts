import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { checkCodexUsage, type RecordedUsage, readSessionLog } from '../../../src/agents/index.js';
import { readCodexRollout } from '../../../src/ingest/index.js';
import { countO200kTokens, fingerprintItems, renderedResponsesItem } from '../../../src/telemetry/index.js';
import { build, collect, fixture, lastTotalTokenUsage, requestsOf, sumTurns } from './helpers.js';

/**
 * Logs the real Codex CLI 0.171.0 wrote for a session with sub-agents against the sim
 * (test/fixtures/codex/v0.171-subagents, README there): the parent's rollout, a sub-agent spawned
 * with a task of its own, and one spawned with `fork_context` (its file starts with a copy of the
 * parent's lines, up to `subagent_history_start_ordinal`). Beside them, what the recording proxy
 * saw of every request, and the request bodies Codex sent.
 */
const DIR = fixture('v0.171-subagents');
const [PARENT, CHILD, FORK] = readdirSync(DIR)
  .filter((f) => f.startsWith('rollout-'))
  .sort()
  .map((f) => fixture('v0.171-subagents', f)) as [string, string, string];
const FILES = [PARENT, CHILD, FORK];
const threadOf = (file: string) => /([0-9a-f-]{36})\.jsonl$/.exec(file)?.[1] ?? '';

interface ProxiedTurn {
  turn: number;
  thread: 'parent' | 'child' | 'fork';
  conversation: string;
  kind: 'agent';
  response_id: string;
  input_tokens: number;
  cached_tokens: number;
  cache_write_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  item_count: number;
}
interface SentRequest {
  thread: ProxiedTurn['thread'];
  response_id: string;
  input: object[];
}
const proxied = JSON.parse(
  readFileSync(fixture('v0.171-subagents', 'subagents.proxy.json'), 'utf8'),
) as ProxiedTurn[];
const sent = JSON.parse(
  readFileSync(fixture('v0.171-subagents', 'subagents.requests.json'), 'utf8'),
) as SentRequest[];

const figures = (t: {
  kind: string;
  input_tokens: number;
  cached_tokens: number | null;
  cache_write_tokens: number | null;
  output_tokens: number;
  reasoning_tokens: number | null;
}) => [t.kind, t.input_tokens, t.cached_tokens, t.cache_write_tokens, t.output_tokens, t.reasoning_tokens];

describe('Codex 0.171 sub-agent rollouts (real)', () => {
  test("the three logs give the proxy's requests, each once, in the proxy's conversations", async () => {
    const { turns, samples, warnings } = await build(FILES.map((file) => ({ file })));
    expect(warnings.filter((w) => !w.startsWith('no price for model "gpt-5.5"'))).toEqual([]);
    expect(turns).toHaveLength(proxied.length);
    for (const p of proxied) {
      const mine = turns.filter((t) => t.response_id === p.response_id);
      expect(mine, p.response_id).toHaveLength(1);
      expect(figures(mine[0]!)).toEqual(figures(p));
      // a sub-agent is a thread of its own: the proxy's conversation, and a sample of its own
      expect(mine[0]!.conversation).toBe(p.conversation);
      expect(mine[0]!.sample_id).toBe(p.conversation);
    }
    for (const file of FILES) {
      const own = turns.filter((t) => t.conversation === threadOf(file));
      expect(sumTurns(own)).toEqual(lastTotalTokenUsage(file));
    }
    expect(samples.map((s) => [s.sample_id, s.tags.filter((t) => t.startsWith('source:'))])).toEqual([
      [threadOf(PARENT), ['source:exec']],
      [threadOf(CHILD), ['source:subagent']],
      [threadOf(FORK), ['source:subagent']],
    ]);
  });

  test("every request is rebuilt item for item as Codex sent it, the forked one from the parent's copied lines", async () => {
    for (const file of FILES) {
      for (const request of await requestsOf(file)) {
        const body = sent.find((s) => s.response_id === request.responseId);
        expect(body, `${request.responseId}`).toBeDefined();
        // the bodies are kept without the base instructions Codex sends in front (README): one item more
        expect(request.itemCount, `${request.source}`).toBe(body!.input.length + 1);
        expect(request.itemCount).toBe(proxied.find((p) => p.response_id === request.responseId)!.item_count);
        expect(request.prompt?.fingerprint.itemHashes.slice(1)).toEqual(
          fingerprintItems(body!.input.map(renderedResponsesItem), countO200kTokens).hashes,
        );
      }
    }
  });

  test("the forked sub-agent's log read alone: the copy of its parent's lines is no request of its own, and no warning", async () => {
    const events = await collect(readCodexRollout(FORK));
    expect(events.filter((e) => e.type === 'warning')).toEqual([]);
    const requests = events.flatMap((e) => (e.type === 'request' ? [e.request] : []));
    expect(requests.map((r) => r.responseId)).toEqual(
      proxied.filter((p) => p.thread === 'fork').map((p) => p.response_id),
    );
    // its one task is its own: the parent's tasks in the copy are not counted as the fork's
    expect(requests.map((r) => r.taskIndex)).toEqual([1, 1]);
    expect(
      events.filter((e) => e.type === 'task_end').map((e) => e.type === 'task_end' && e.taskIndex),
    ).toEqual([1]);
  });

  test('grouped by task: the parent has two tasks, each sub-agent one', async () => {
    const { samples } = await build(
      FILES.map((file) => ({ file })),
      { groupBy: 'task' },
    );
    expect(samples.map((s) => [s.sample_id, s.turns, s.stop_reason])).toEqual([
      [`${threadOf(PARENT)}/task-1`, 2, 'final'],
      [`${threadOf(PARENT)}/task-2`, 6, 'final'],
      [`${threadOf(CHILD)}/task-1`, 2, 'final'],
      [`${threadOf(FORK)}/task-1`, 2, 'final'],
    ]);
  });

  test("the usage check of an agent run: each log alone matches the proxy's conversation", async () => {
    const usages: RecordedUsage[] = proxied.map((p) => ({
      turn: p.turn,
      conversation: p.conversation,
      kind: p.kind,
      responseId: p.response_id,
      usage: {
        inputTokens: p.input_tokens,
        cachedTokens: p.cached_tokens,
        cacheWriteTokens: p.cache_write_tokens,
        cacheWrite12hTokens: null,
        outputTokens: p.output_tokens,
        reasoningTokens: p.reasoning_tokens,
      },
    }));
    const logs = await Promise.all(FILES.map((f) => readSessionLog(f)));
    expect(checkCodexUsage(usages, logs)).toEqual({
      status: 'match',
      proxy_requests: proxied.length,
      log_requests: proxied.length,
      detail: null,
    });
  });
});
