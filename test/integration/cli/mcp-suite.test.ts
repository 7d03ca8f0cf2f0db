import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type EventRecord,
  EventRecordSchema,
  SampleRecordSchema,
  type TurnRecord,
  TurnRecordSchema,
} from '../../../src/telemetry/index.js';
import { assertBuilt, readJsonl, runCli, turnbenchContainers } from './helpers.js';

/**
 * tasks/mcp end to end: MCP servers over stdio inside real containers serve tools to the loop,
 * against the sim; the notes server changes its tool list after the third note, and each variant's
 * list-changed policy must give the cache behaviour it promises, as the turn records show.
 */
describe('the MCP suite against the sim, in Docker', () => {
  const resultsDir = mkdtempSync(join(tmpdir(), 'tb-mcp-'));
  const runDir = join(resultsDir, 'mcp');
  let turns: TurnRecord[] = [];
  let events: EventRecord[] = [];
  let summary: {
    variants: Array<{
      variant: string;
      cache_hit_rate: number;
      cost_usd: number;
      samples: number;
      passed: number;
    }>;
  };

  beforeAll(async () => {
    assertBuilt();
    const run = await runCli([
      'run',
      'tasks/mcp/suite.yaml',
      '--run-id',
      'mcp',
      '--results-dir',
      resultsDir,
      '--json',
    ]);
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    summary = JSON.parse(run.stdout);
    turns = readJsonl(join(runDir, 'turns.jsonl')).map((l) => TurnRecordSchema.parse(l));
    events = readJsonl(join(runDir, 'events.jsonl')).map((l) => EventRecordSchema.parse(l));
  }, 300_000);

  const agentTurns = (sample: string) => turns.filter((t) => t.sample_id === sample && t.kind === 'agent');
  const turn = (sample: string, n: number) => {
    const found = turns.find((t) => t.sample_id === sample && t.turn === n);
    if (!found) throw new Error(`${sample} has no turn ${n}`);
    return found;
  };
  /** The turn during whose tool calls the notes server announced its change. */
  const notifiedAt = (sample: string) => {
    const change = events.find(
      (e): e is Extract<EventRecord, { type: 'tools_changed' }> =>
        e.type === 'tools_changed' && e.sample_id === sample && e.server === 'notes',
    );
    if (!change) throw new Error(`${sample}: no tools_changed event`);
    return change;
  };

  it('runs every sample to a pass with its servers started in the sandbox and stopped', () => {
    const samples = readJsonl(join(runDir, 'samples.jsonl')).map((l) => SampleRecordSchema.parse(l));
    expect(samples).toHaveLength(6);
    for (const s of samples)
      expect([s.sample_id, s.status, s.passed]).toEqual([s.sample_id, 'completed', true]);
    const servers = events.filter((e) => e.type === 'mcp_server');
    expect(servers.filter((e) => e.action === 'started' && e.run_on === 'sandbox')).toHaveLength(6);
    expect(servers.filter((e) => e.action === 'stopped')).toHaveLength(6);
    // the npm filesystem server served its tools too
    const fsCalls = events.filter((e) => e.type === 'tool_call' && e.tool.startsWith('mcp__fs__'));
    expect(fsCalls.length).toBe(12);
    expect(fsCalls.every((e) => e.type === 'tool_call' && e.ok)).toBe(true);
  });

  it('rebuild: the turn after the notification breaks at the tools and pays for it', () => {
    const sample = 'notes__rebuild__e1';
    const at = notifiedAt(sample);
    expect(at).toMatchObject({ policy: 'rebuild', applied: 'now' });
    const before = turn(sample, at.turn);
    const after = turn(sample, at.turn + 1);
    expect(after.prefix).toMatchObject({
      extends_previous: false,
      reason: 'tools_changed',
      diverged_at: 'tools',
    });
    expect(after.prefix.detail).toBe(
      'tools changed: added mcp__notes__search_notes; removed mcp__notes__count_notes',
    );
    expect(after.cache_class).toBe('harness_break');
    expect(after.tools_hash).not.toBe(before.tools_hash);
    expect(after.cached_tokens ?? 0).toBeLessThan((before.cached_tokens ?? 0) / 4);
    expect(after.cost_usd ?? 0).toBeGreaterThan(before.cost_usd ?? 0);
    expect(after.prefix.lost_tokens ?? 0).toBeGreaterThan(10_000);
  });

  it('append: the new tool goes at the end (the old tools stay cached), the removed one stays until the compaction', () => {
    const sample = 'notes__append__e1';
    const at = notifiedAt(sample);
    expect(at).toMatchObject({ policy: 'append', applied: 'appended', removed: ['mcp__notes__count_notes'] });
    const after = turn(sample, at.turn + 1);
    expect(after.prefix).toMatchObject({ extends_previous: false, reason: 'tools_changed' });
    expect(after.prefix.detail).toBe('tools changed: added mcp__notes__search_notes');
    // the prefix up to the last old tool still hits; rebuild broke earlier, at count_notes
    const rebuilt = turn('notes__rebuild__e1', notifiedAt('notes__rebuild__e1').turn + 1);
    expect(after.cached_tokens ?? 0).toBeGreaterThan(rebuilt.cached_tokens ?? 0);
    // the forensics expected those tools cached (not 0): the change is the harness's, served as far as it could be
    expect(after.expected_cached_tokens ?? 0).toBeGreaterThan(0);
    expect(Math.abs((after.cached_tokens ?? 0) - (after.expected_cached_tokens ?? 0))).toBeLessThanOrEqual(
      Math.max(128, Math.ceil((after.expected_cached_tokens ?? 0) * 0.02)),
    );
    expect(after.cache_class).toBe('harness_break');
    const atCompaction = events.find(
      (e) => e.type === 'tools_changed' && e.sample_id === sample && e.applied === 'at_compaction',
    );
    expect(atCompaction).toMatchObject({ removed: ['mcp__notes__count_notes'], added: [] });
  });

  it('defer: no break at the notification; the change lands with the compaction', () => {
    const sample = 'notes__defer__e1';
    const at = notifiedAt(sample);
    expect(at).toMatchObject({ policy: 'defer', applied: 'deferred' });
    const list = agentTurns(sample);
    const compaction = turns.find((t) => t.sample_id === sample && t.kind === 'compaction');
    expect(compaction).toBeDefined();
    const beforeCompaction = list.filter((t) => t.turn < (compaction?.turn ?? 0));
    expect(beforeCompaction.length).toBeGreaterThan(at.turn);
    for (const t of beforeCompaction.slice(1)) {
      expect(t.prefix.extends_previous, `turn ${t.turn}`).toBe(true);
      expect(t.tools_hash).toBe(beforeCompaction[0]?.tools_hash);
    }
    expect(turn(sample, at.turn + 1).cache_class).toBe('hit');
    const first = list.find((t) => t.turn > (compaction?.turn ?? 0));
    expect(first).toMatchObject({ after_compaction: true, prefix: { reason: 'tools_changed' } });
    expect(events.filter((e) => e.type === 'cache_break' && e.sample_id === sample)).toEqual([]);
    expect(
      events.find(
        (e) => e.type === 'tools_changed' && e.sample_id === sample && e.applied === 'at_compaction',
      ),
    ).toMatchObject({ added: ['mcp__notes__search_notes'], removed: ['mcp__notes__count_notes'] });
  });

  it('shows the difference in hit rate and cost, and leaves no container', async () => {
    const by = Object.fromEntries(summary.variants.map((v) => [v.variant, v]));
    expect(by.defer?.cache_hit_rate).toBeGreaterThan((by.rebuild?.cache_hit_rate ?? 1) + 0.05);
    expect(by.defer?.cost_usd).toBeLessThan((by.rebuild?.cost_usd ?? 0) * 0.95);
    expect(await turnbenchContainers('mcp')).toEqual([]);
  });

  it('inspect marks the turn of the notification and shows the tools_changed break after it', async () => {
    const inspect = await runCli([
      'inspect',
      'mcp',
      '--results-dir',
      resultsDir,
      '--sample',
      'notes__rebuild__e1',
    ]);
    expect(inspect.code, inspect.stderr).toBe(0);
    const at = notifiedAt('notes__rebuild__e1').turn;
    const row = (n: number) => inspect.stdout.split('\n').find((l) => l.startsWith(`${n} `)) ?? '';
    expect(row(at)).toMatch(/tools-changed$/);
    expect(row(at + 1)).toMatch(/harness_break\s+tools_changed/);
    expect(inspect.stdout).toContain(
      `tools changed during turn ${at} (server notes), policy rebuild: +mcp__notes__search_notes -mcp__notes__count_notes`,
    );
    expect(inspect.stdout).toContain(`first cache break: turn ${at + 1}, tools_changed`);
  });
});
