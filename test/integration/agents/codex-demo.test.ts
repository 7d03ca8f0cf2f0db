import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SampleRecord,
  SampleRecordSchema,
  type TurnRecord,
  TurnRecordSchema,
} from '../../../src/telemetry/index.js';
import { assertBuilt, type CliResult, readJsonl, runCli, uniqueRunId } from '../cli/helpers.js';

/**
 * The agents demo suite (tasks/agents/suite.yaml) on its longest task, in real Docker sandboxes
 * against the sim, for both ways Codex compacts: `compaction_trigger` (its OpenAI provider, over
 * WebSocket) and the inline handoff summary (a provider of its own, over HTTP). Each compaction
 * must leave the sim's script where it stood: every scripted command runs once and the task passes,
 * where the inline summary once made the script restart on every compaction.
 */

const SCRIPTED_CALLS = 8; // the exec_command steps of tasks/agents/log-triage

describe('agents demo: Codex compacting against the sim', () => {
  const resultsDir = mkdtempSync(join(tmpdir(), 'tb-codex-demo-'));
  const runId = uniqueRunId('codex-demo');
  let result: CliResult;
  let samples: SampleRecord[];
  let turns: TurnRecord[];

  beforeAll(async () => {
    assertBuilt();
    result = await runCli(
      [
        'run',
        'tasks/agents/suite.yaml',
        '--variant',
        'trigger',
        'summary',
        '--task',
        'log-triage',
        '--run-id',
        runId,
        '--results-dir',
        resultsDir,
      ],
      { timeoutMs: 280_000 },
    );
    const runDir = join(resultsDir, runId);
    samples = readJsonl(join(runDir, 'samples.jsonl')).map((l) => SampleRecordSchema.parse(l));
    turns = readJsonl(join(runDir, 'turns.jsonl')).map((l) => TurnRecordSchema.parse(l));
  }, 300_000);

  afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));

  it('passes both samples, each scripted command run once, Codex usage matching its session log', () => {
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    expect(samples.map((s) => s.variant).sort()).toEqual(['summary', 'trigger']);
    for (const s of samples) {
      expect(s.passed, `${s.sample_id}: ${s.score_detail}`).toBe(true);
      expect(s.tool_calls, s.sample_id).toBe(SCRIPTED_CALLS);
      expect(s.compactions, s.sample_id).toBeGreaterThanOrEqual(2);
      expect(s.agent?.usage_check.status, s.sample_id).toBe('match');
    }
  });

  it('records each compaction as its own kind of request, and no more of them than the history needs', () => {
    for (const [variant, kind] of [
      ['trigger', 'compaction'],
      ['summary', 'summary'],
    ] as const) {
      const own = turns.filter((t) => t.variant === variant);
      const side = own.filter((t) => t.kind === 'compaction' || t.kind === 'summary');
      expect(side.map((t) => t.kind)).toEqual(side.map(() => kind));
      // at a 12k limit on a ~12k-token history: a handful, never a loop
      expect(side.length).toBeGreaterThanOrEqual(2);
      expect(side.length).toBeLessThanOrEqual(4);
      // each is followed by an agent turn that starts from the compacted history
      for (const t of side) {
        const next = own.find((n) => n.turn === t.turn + 1);
        expect(next?.kind).toBe('agent');
        expect(next?.after_compaction).toBe(true);
        expect(next?.prefix.reason).toBe('compacted');
      }
    }
  });

  it('expects, after a compaction_trigger, exactly the cache the sim serves for the kept items', () => {
    const own = turns.filter((t) => t.variant === 'trigger' && t.kind === 'agent');
    const after = own.filter((t) => t.after_compaction);
    expect(after.length).toBeGreaterThanOrEqual(2);
    for (const t of after) {
      expect(t.cached_tokens, `turn ${t.turn}`).toBeGreaterThan(1024);
      expect(t.expected_cached_tokens, `turn ${t.turn}`).toBe(t.cached_tokens);
    }
    // and no agent turn of either variant reads as a provider miss: the sim is a perfect cache here
    const agentTurns = turns.filter((t) => t.kind === 'agent');
    expect(agentTurns.filter((t) => t.cache_class === 'provider_miss')).toEqual([]);
  });
});
