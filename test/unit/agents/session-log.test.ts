import { describe, expect, it } from 'vitest';
import { checkCodexUsage, parseSessionLog, type RecordedUsage } from '../../../src/agents/index.js';

const usage = (input: number, cached: number, output: number, reasoning = 0) => ({
  input_tokens: input,
  cached_input_tokens: cached,
  cache_write_input_tokens: 0,
  output_tokens: output,
  reasoning_output_tokens: reasoning,
  total_tokens: input + output,
});
const line = (type: string, payload: unknown) => JSON.stringify({ timestamp: 't', type, payload });
const tokenCount = (last: ReturnType<typeof usage>, total: ReturnType<typeof usage>) =>
  line('event_msg', { type: 'token_count', info: { total_token_usage: total, last_token_usage: last } });
const record = (id: string, u: ReturnType<typeof usage>) =>
  line('token_usage_record', { thread_id: 'th', response_id: id, usage: u });

/** A session of three requests: two turns, a compaction request in between (token_count skips it). */
const LOG = [
  line('session_meta', { id: 'th', cwd: '/workspace' }),
  line('event_msg', { type: 'token_count', info: null }),
  record('resp_1', usage(8000, 0, 30)),
  tokenCount(usage(8000, 0, 30), usage(8000, 0, 30)),
  tokenCount(usage(8000, 0, 30), usage(8000, 0, 30)), // Codex repeats itself
  record('resp_2', usage(9000, 7936, 300, 10)),
  tokenCount(usage(8000, 0, 30), usage(8000, 0, 30)), // after the compaction: unchanged total
  record('resp_3', usage(4000, 3840, 30)),
  tokenCount(usage(4000, 3840, 30), usage(12000, 3840, 60)),
  '{"cut in the mid',
].join('\n');

const proxied = (
  turn: number,
  kind: RecordedUsage['kind'],
  id: string,
  i: number,
  c: number,
  o: number,
  r = 0,
): RecordedUsage => ({
  turn,
  conversation: 'th',
  kind,
  responseId: id,
  usage: { inputTokens: i, cachedTokens: c, cacheWriteTokens: 0, outputTokens: o, reasoningTokens: r },
});

describe("Codex's session log", () => {
  it('reads the per-request usage: token_count repeats counted once, records by response id', () => {
    const log = parseSessionLog(LOG);
    expect(log.sessionId).toBe('th');
    expect(log.unreadableLines).toBe(1);
    expect(log.tokenCounts.map((u) => u.inputTokens)).toEqual([8000, 4000]);
    expect(log.records.map((r) => [r.responseId, r.usage.inputTokens, r.usage.reasoningTokens])).toEqual([
      ['resp_1', 8000, 0],
      ['resp_2', 9000, 10],
      ['resp_3', 4000, 0],
    ]);
  });

  it("matches the proxy's records, the compaction request compared by id only", () => {
    const requests = [
      proxied(1, 'agent', 'resp_1', 8000, 0, 30),
      proxied(2, 'compaction', 'resp_2', 9000, 7936, 300, 10),
      proxied(3, 'agent', 'resp_3', 4000, 3840, 30),
    ];
    expect(checkCodexUsage(requests, [parseSessionLog(LOG)])).toEqual({
      status: 'match',
      proxy_requests: 3,
      log_requests: 3,
      detail: null,
    });
  });

  it('leaves out the WebSocket warm-up, which Codex does not log', () => {
    const requests = [
      proxied(1, 'warmup', 'resp_0', 7000, 0, 0),
      proxied(2, 'agent', 'resp_1', 8000, 0, 30),
      proxied(3, 'compaction', 'resp_2', 9000, 7936, 300, 10),
      proxied(4, 'agent', 'resp_3', 4000, 3840, 30),
    ];
    expect(checkCodexUsage(requests, [parseSessionLog(LOG)])).toMatchObject({
      status: 'match',
      proxy_requests: 3,
    });
  });

  it('reports a difference, a request the log lacks, and a missing log', () => {
    const log = parseSessionLog(LOG);
    const off = [
      proxied(1, 'agent', 'resp_1', 8000, 128, 30),
      proxied(2, 'compaction', 'resp_2', 9000, 7936, 300, 10),
      proxied(3, 'agent', 'resp_3', 4000, 3840, 30),
    ];
    const mismatch = checkCodexUsage(off, [log]);
    expect(mismatch.status).toBe('mismatch');
    expect(mismatch.detail).toContain('turn 1 (resp_1): proxy input 8000 cached 128');
    const extra = checkCodexUsage([...off.slice(1), proxied(4, 'agent', 'resp_9', 1, 0, 1)], [log]);
    expect(extra.detail).toContain('turn 4 (resp_9) is not in the session log');
    expect(extra.detail).toContain('the session log has 1 request(s) the proxy did not see (resp_1)');
    expect(checkCodexUsage(off, []).status).toBe('no_log');
  });
});
