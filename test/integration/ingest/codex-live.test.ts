import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EventRecord,
  EventRecordSchema,
  type SampleRecord,
  SampleRecordSchema,
  type TurnRecord,
  TurnRecordSchema,
} from '../../../src/telemetry/index.js';
import { filesUnder } from '../agents/helpers.js';
import { assertBuilt, readJsonl, runCli, turnbenchContainers } from '../cli/helpers.js';

const SUITE = 'test/fixtures/agents/codex-ingest/suite.yaml';

interface RunFolder {
  samples: SampleRecord[];
  turns: TurnRecord[];
  events: EventRecord[];
}

function readRun(dir: string): RunFolder {
  return {
    samples: readJsonl(join(dir, 'samples.jsonl')).map((l) => SampleRecordSchema.parse(l)),
    turns: readJsonl(join(dir, 'turns.jsonl')).map((l) => TurnRecordSchema.parse(l)),
    events: readJsonl(join(dir, 'events.jsonl')).map((l) => EventRecordSchema.parse(l)),
  };
}

/** What both records of a request must agree on. */
const figures = (t: TurnRecord) => [
  t.kind,
  t.input_tokens,
  t.cached_tokens,
  t.output_tokens,
  t.reasoning_tokens,
];

/**
 * Live `agent: codex` runs (the real Codex CLI in Docker sandboxes against the sim, through the
 * recording proxy) keep Codex's session log beside the proxy's records; `turnbench ingest` of
 * those logs must give the proxy's figures, request by request. Codex logs no usage for its
 * WebSocket warm-up (`generate: false`), so warm-ups are the one thing a log cannot give.
 */
describe('a live Codex run, then ingest of the session logs it kept', () => {
  const resultsDir = mkdtempSync(join(tmpdir(), 'tb-codex-ingest-'));
  let live: RunFolder;
  let ingested: RunFolder;
  let runCode: number | null;
  let runErr = '';
  let ingestCode: number | null;
  let ingestOut = '';
  let ingestErr = '';

  beforeAll(async () => {
    assertBuilt();
    const run = await runCli(['run', SUITE, '--run-id', 'live', '--results-dir', resultsDir]);
    runCode = run.code;
    runErr = run.stderr;
    live = readRun(join(resultsDir, 'live'));
    const ingest = await runCli([
      'ingest',
      join(resultsDir, 'live', 'samples'),
      '--run-id',
      'ingested',
      '--results-dir',
      resultsDir,
      '--json',
    ]);
    ingestCode = ingest.code;
    ingestOut = ingest.stdout;
    ingestErr = ingest.stderr;
    ingested = readRun(join(resultsDir, 'ingested'));
  }, 280_000);

  afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));

  it('runs every sample to its end and keeps one Codex session log per sample', () => {
    expect([0, 1], runErr.slice(-3000)).toContain(runCode);
    expect(live.samples).toHaveLength(6);
    for (const s of live.samples) {
      expect(s.status, `${s.sample_id}: ${s.error?.message}`).not.toBe('error');
      expect(s.agent?.type).toBe('codex');
      const logs = filesUnder(join(resultsDir, 'live', 'samples', s.sample_id, 'codex', 'sessions'));
      expect(logs, s.sample_id).toHaveLength(1);
      expect(logs[0]).toMatch(/rollout-.*\.jsonl$/);
    }
  });

  it('covers what it claims: a WebSocket warm-up and compaction_trigger requests, inline summary requests, plain HTTP', () => {
    const kinds = (variant: string) =>
      new Set(live.turns.filter((t) => t.variant === variant).map((t) => t.kind));
    expect(kinds('trigger')).toEqual(new Set(['warmup', 'agent', 'compaction']));
    expect(kinds('summary')).toEqual(new Set(['agent', 'summary']));
    expect(kinds('http')).toEqual(new Set(['agent']));
    const methods = live.events.flatMap((e) =>
      e.type === 'compaction' ? [[e.sample_id.split('__')[1], e.method]] : [],
    );
    expect(new Set(methods.map((m) => m.join(':')))).toEqual(new Set(['trigger:trigger', 'summary:summary']));
  });

  it('ingests every log through the CLI without a warning, one sample per session', () => {
    expect(ingestCode, ingestErr).toBe(0);
    expect(ingestErr).toBe('');
    expect(JSON.parse(ingestOut)).toMatchObject({ files: 6, sessions: 6, samples: 6, warnings: 0 });
    expect(ingested.samples).toHaveLength(6);
  });

  it("gives the proxy's figures request by request, by response id, every request but the warm-ups", () => {
    for (const s of live.samples) {
      const proxied = live.turns.filter((t) => t.sample_id === s.sample_id).sort((a, b) => a.turn - b.turn);
      const thread = proxied[0]!.conversation;
      expect(new Set(proxied.map((t) => t.conversation))).toEqual(new Set([thread]));
      const fromLog = ingested.turns.filter((t) => t.sample_id === thread).sort((a, b) => a.turn - b.turn);
      const logged = proxied.filter((t) => t.kind !== 'warmup');
      expect(
        fromLog.map((t) => t.response_id),
        s.sample_id,
      ).toEqual(logged.map((t) => t.response_id));
      expect(fromLog.every((t) => t.response_id?.startsWith('resp_'))).toBe(true);
      expect(fromLog.map(figures), s.sample_id).toEqual(logged.map(figures));
      // the agent's own check, which reads the log with the same reader, agrees
      expect(s.agent?.usage_check, s.sample_id).toEqual({
        status: 'match',
        proxy_requests: logged.length,
        log_requests: logged.length,
        detail: null,
      });
    }
  });

  it("rebuilds each agent request as the proxy saw it: the proxy's item_count, diverged_at and reason", () => {
    let compacted = 0;
    for (const s of live.samples) {
      const proxied = live.turns.filter((t) => t.sample_id === s.sample_id).sort((a, b) => a.turn - b.turn);
      const fromLog = new Map(
        ingested.turns.filter((t) => t.sample_id === proxied[0]!.conversation).map((t) => [t.response_id, t]),
      );
      // a compaction's own request is not in the log (its prompt has no item count there)
      for (const p of proxied.filter((t) => t.kind === 'agent')) {
        const t = fromLog.get(p.response_id);
        expect(t, `${s.sample_id} turn ${p.turn}`).toBeDefined();
        // Codex 0.171 sends its base instructions as input[0], which the log does not hold as an item
        expect(
          [t!.item_count, t!.prefix.diverged_at, t!.prefix.reason],
          `${s.sample_id} turn ${p.turn}`,
        ).toEqual([p.item_count, p.prefix.diverged_at, p.prefix.reason]);
        expect(t!.instructions_hash, `${s.sample_id} turn ${p.turn}`).toBe(p.instructions_hash);
        if (p.prefix.reason === 'compacted') compacted++;
      }
    }
    // the first request after each of the four compactions diverges past the re-rendered context
    expect(compacted).toBe(4);
  });

  it('checks a compaction request as the proxy does: the history plus the item Codex appends, against the last agent request', () => {
    let triggers = 0;
    let summaries = 0;
    for (const s of live.samples) {
      const proxied = live.turns.filter((t) => t.sample_id === s.sample_id);
      const fromLog = new Map(
        ingested.turns.filter((t) => t.sample_id === proxied[0]!.conversation).map((t) => [t.response_id, t]),
      );
      for (const p of proxied.filter((t) => t.kind === 'compaction' || t.kind === 'summary')) {
        const t = fromLog.get(p.response_id)!;
        const at = `${s.sample_id} turn ${p.turn}`;
        expect(t.kind, at).toBe(p.kind);
        expect(t.item_count, at).toBe(p.item_count);
        if (p.kind === 'compaction') {
          triggers++;
          expect(
            [t.prefix.extends_previous, t.prefix.diverged_at, t.prefix.reason, t.cache_class],
            at,
          ).toEqual([p.prefix.extends_previous, p.prefix.diverged_at, p.prefix.reason, p.cache_class]);
        } else {
          // Codex sends its summary request with other settings, which the log does not show
          summaries++;
          expect(t.cache_class, at).toBe('not_checked');
        }
      }
    }
    expect([triggers, summaries]).toEqual([2, 2]);
  });

  it("gives each compaction the proxy's item counts before and after", () => {
    const counts = (events: EventRecord[], sample: string) =>
      events.flatMap((e) =>
        e.type === 'compaction' && e.sample_id === sample ? [[e.items_before, e.items_after]] : [],
      );
    let compactions = 0;
    for (const s of live.samples) {
      const thread = live.turns.find((t) => t.sample_id === s.sample_id)!.conversation!;
      const proxied = counts(live.events, s.sample_id);
      expect(counts(ingested.events, thread), s.sample_id).toEqual(proxied);
      compactions += proxied.length;
    }
    expect(compactions).toBe(4);
  });

  it("gives the proxy's totals per sample and per run: requests, input, cached, output, reasoning, compactions", () => {
    const totals = (s: SampleRecord) => [
      s.turns,
      s.input_tokens,
      s.cached_tokens,
      s.output_tokens,
      s.reasoning_tokens,
      s.compactions,
    ];
    const sum = (rows: (number | null)[][]) =>
      rows.reduce((acc, row) => acc.map((v, i) => (v ?? 0) + (row[i] ?? 0)), [0, 0, 0, 0, 0, 0]);
    const expected: (number | null)[][] = [];
    for (const s of live.samples) {
      const proxied = live.turns.filter((t) => t.sample_id === s.sample_id);
      const warmups = proxied.filter((t) => t.kind === 'warmup');
      const minusWarmups = [
        s.turns - warmups.length,
        s.input_tokens - warmups.reduce((n, t) => n + t.input_tokens, 0),
        (s.cached_tokens ?? 0) - warmups.reduce((n, t) => n + (t.cached_tokens ?? 0), 0),
        s.output_tokens - warmups.reduce((n, t) => n + t.output_tokens, 0),
        (s.reasoning_tokens ?? 0) - warmups.reduce((n, t) => n + (t.reasoning_tokens ?? 0), 0),
        s.compactions,
      ];
      const own = ingested.samples.find((i) => i.sample_id === proxied[0]!.conversation);
      expect(own, s.sample_id).toBeDefined();
      expect(totals(own!), s.sample_id).toEqual(minusWarmups);
      expected.push(minusWarmups);
    }
    expect(sum(ingested.samples.map(totals))).toEqual(sum(expected));
  });

  it('leaves no container behind', async () => {
    expect(await turnbenchContainers('live')).toEqual([]);
  });
});
