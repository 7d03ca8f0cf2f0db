import { describe, expect, test } from 'vitest';
import { readCodexRollout } from '../../../src/ingest/index.js';
import type { IngestedRequest } from '../../../src/ingest/types.js';
import { build, collect, fixture } from './helpers.js';

/** Codex 0.171 (real): `codex exec`, then `codex exec fork <id>`; the fork's history stays in the parent's file. */
const PAGINATED_PARENT = fixture(
  'v0.171-fork',
  'rollout-2026-12-01T18-57-26-01a232f8-0d7f-7f33-ad2e-b62c37a1ecab.jsonl',
);
const PAGINATED_FORK = fixture(
  'v0.171-fork',
  'rollout-2026-12-01T18-57-27-01a232f8-100d-7113-80c9-98d24a32eaa7.jsonl',
);
/** Hand-written to the source: a fork of Codex before paginated history, the parent's lines copied into its file. */
const COPY_PARENT = fixture(
  'v0.9x-fork-copy',
  'rollout-2026-01-10T09-00-00-019b0a11-7c2e-7d40-9a51-3f0c2b6e4d10.jsonl',
);
const COPY_FORK = fixture(
  'v0.9x-fork-copy',
  'rollout-2026-01-10T09-30-00-019b0a14-0e9d-7a62-8c13-5d2e9f7a1b22.jsonl',
);

async function requestsOf(file: string): Promise<IngestedRequest[]> {
  return (await collect(readCodexRollout(file))).flatMap((e) => (e.type === 'request' ? [e.request] : []));
}

const usageOf = (r: { input_tokens: number; cached_tokens: number | null; output_tokens: number }) => [
  r.input_tokens,
  r.cached_tokens,
  r.output_tokens,
];

describe('forked Codex sessions', () => {
  test('0.171 (paginated history): the fork file holds only its own request, and its history is not in it', async () => {
    const [forked, ...rest] = await requestsOf(PAGINATED_FORK);
    expect(rest).toEqual([]);
    // the token_usage_record of its one request (token_count's total carries the parent's on)
    expect(forked!.usage).toMatchObject({ inputTokens: 8143, cachedTokens: 0, outputTokens: 11 });
    expect(forked!.responseId).toBe('resp_eb44fdcaa291c4e4e6943298');
    // Codex sent the parent's history (kept in the parent's file, `history_base`) plus the new
    // message: the log does not hold that input, so it is unknown, never a one-item prompt.
    expect(forked!.itemCount).toBeNull();
    expect(forked!.prompt).toBeNull();
  });

  test('0.171 (paginated history): parent and fork ingested together count each request once', async () => {
    const { turns, warnings } = await build([{ file: PAGINATED_PARENT }, { file: PAGINATED_FORK }]);
    expect(warnings).toEqual([]);
    expect(turns.map(usageOf)).toEqual([
      [8066, 0, 21],
      [8126, 8066, 11],
      [8143, 0, 11],
    ]);
  });

  test('a fork whose file copies the parent history: with the parent ingested, only its new request is counted', async () => {
    const { turns, warnings } = await build([{ file: COPY_PARENT }, { file: COPY_FORK }]);
    expect(warnings).toEqual([]);
    expect(turns.map((t) => [t.sample_id, ...usageOf(t)])).toEqual([
      ['019b0a11-7c2e-7d40-9a51-3f0c2b6e4d10', 5210, 0, 64],
      ['019b0a11-7c2e-7d40-9a51-3f0c2b6e4d10', 5402, 5120, 40],
      ['019b0a14-0e9d-7a62-8c13-5d2e9f7a1b22', 5460, 0, 38],
    ]);
    // the copied history is the new request's input: the parent's items plus the new message
    const forkTurn = turns[2]!;
    expect(forkTurn.item_count).toBe(7); // environment, task, reasoning, call, output, answer; the new message
    expect(forkTurn.prefix.extends_previous).toBeNull(); // the fork's first request has no previous one
  });

  test('a fork whose file copies the parent history, read alone: the copy is named in a warning', async () => {
    const events = await collect(readCodexRollout(COPY_FORK));
    const warnings = events.flatMap((e) => (e.type === 'warning' ? [e.message] : []));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /:2: history copied from session 019b0a11-7c2e-7d40-9a51-3f0c2b6e4d10, whose log was not read before this one/,
    );
  });
});
