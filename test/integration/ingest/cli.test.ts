import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assertBuilt, REPO, readJsonl, runCli } from '../cli/helpers.js';

const FIXTURES = join(REPO, 'test/fixtures/codex');
const home = mkdtempSync(join(tmpdir(), 'tb-ingest-cli-'));
const sessions = join(home, 'sessions');
const results = join(home, 'results');

/** A Codex home's layout: sessions/YYYY/MM/DD/rollout-*.jsonl, sessions of two periods. */
beforeAll(() => {
  assertBuilt();
  const place = (from: string, day: string) => {
    const dir = join(sessions, ...day.split('-'));
    mkdirSync(dir, { recursive: true });
    cpSync(from, dir, {
      recursive: true,
      filter: (src) => !src.endsWith('.requests.json') && !src.endsWith('.proxy.json'),
    });
  };
  place(join(FIXTURES, 'v0.171'), '2026-12-01');
  place(join(FIXTURES, 'v0.46'), '2025-10-29');
  place(join(FIXTURES, 'v0.36'), '2025-09-20');
  place(join(FIXTURES, 'legacy'), '2025-07-01');
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

const tb = (...args: string[]) => runCli([...args, '--results-dir', results]);

describe('turnbench ingest, end to end through the CLI', () => {
  test('ingest two periods, then report, inspect, history and compare --fail-on read them like runs', async () => {
    const recent = await tb(
      'ingest',
      sessions,
      '--since',
      '2026-12-01',
      '--until',
      '2026-12-07',
      '--run-id',
      'this-week',
    );
    expect(recent.code, recent.stderr).toBe(0);
    expect(recent.stdout).toMatch(
      /ingested \d+ file\(s\): 4 session\(s\), 30 request\(s\) into 4 sample\(s\)/,
    );

    const older = await tb('ingest', sessions, '--until', '2025-12-31', '--run-id', 'last-quarter', '--json');
    expect(older.code, older.stderr).toBe(0);
    const summary = JSON.parse(older.stdout) as { sessions: number; turns: number; warnings: number };
    expect(summary).toMatchObject({ sessions: 2, turns: 12 });
    // the torn line and the legacy rollout without usage
    expect(older.stderr).toMatch(
      /warning: .*rollout-2025-09-20T10-00-00-.*:16: not valid JSON; line skipped/,
    );
    expect(older.stderr).toMatch(/warning: .*no token usage in this log/);

    const manifest = JSON.parse(readFileSync(join(results, 'last-quarter', 'run.json'), 'utf8'));
    expect(manifest).toMatchObject({
      source: 'ingest',
      status: 'completed',
      ingest: { group_by: 'session', since: null, until: '2025-12-31', sessions: 2, warning_count: 2 },
    });
    expect(manifest.started_at).toBe('2025-09-20T10:00:00.100Z');

    // every record validates against the schemas `report` reads
    const report = await tb('report', 'last-quarter');
    expect(report.code, report.stderr).toBe(0);
    for (const f of ['report.md', 'report.html', 'samples.csv', 'turns.csv']) {
      expect(existsSync(join(results, 'last-quarter', f))).toBe(true);
    }
    const markdown = readFileSync(join(results, 'last-quarter', 'report.md'), 'utf8');
    expect(markdown).toContain('ttl_expired');
    expect(markdown).toContain('model_changed');

    const inspect = await tb('inspect', 'last-quarter', '--sample', '019a2d7a-41c4-78b1-b7cc-a45d62a89cd5');
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout).toMatch(
      /4\s+agent\s+3500\s+0\s+0%\s+3200\s+n\/a\s+60\s+provider_miss\s+ttl_expired\s+3200/,
    );
    expect(inspect.stdout).toContain('cost of the lost cache reads: $');

    const history = await tb('history');
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(/last-quarter[\s\S]*this-week/); // oldest data first

    // the day-over-day (here quarter-over-week) gate: the recent period's hit rate is higher
    const worse = await tb('compare', 'this-week', 'last-quarter', '--fail-on', 'cache_hit_rate<-5pp');
    expect(worse.code, worse.stdout + worse.stderr).toBe(1);
    expect(worse.stdout).toMatch(/FAIL/);
    const better = await tb('compare', 'last-quarter', 'this-week', '--fail-on', 'cache_hit_rate<-5pp');
    expect(better.code, better.stdout + better.stderr).toBe(0);

    const turns = readJsonl(join(results, 'this-week', 'turns.jsonl')) as { run_id: string }[];
    expect(turns).toHaveLength(30);
    expect(turns.every((t) => t.run_id === 'this-week')).toBe(true);
  });

  test('ingested sessions are unscored: every view shows their pass rate as n/a, never 0%, and a pass_rate gate cannot pass', async () => {
    const a = await tb('ingest', join(sessions, '2025', '10'), '--run-id', 'unscored-a');
    const b = await tb('ingest', join(sessions, '2025', '09'), '--run-id', 'unscored-b');
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    // the terminal table `ingest` prints (the same as `report`'s)
    expect(a.stdout).toMatch(/^codex\s+\d+\s+n\/a\s+\d+/m);
    expect(a.stdout).not.toMatch(/0\.0%/);

    const report = await tb('report', 'unscored-a');
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/^codex\s+\d+\s+n\/a\s+\d+/m);
    const markdown = readFileSync(join(results, 'unscored-a', 'report.md'), 'utf8');
    expect(markdown).toMatch(/^\| codex \| \d+ \| n\/a \|/m);
    const html = readFileSync(join(results, 'unscored-a', 'report.html'), 'utf8');
    expect(html).toMatch(/<td>codex<\/td><td>\d+<\/td><td>n\/a<\/td>/);
    const data = JSON.parse(
      /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!,
    );
    expect(data.variants[0].pass_rate).toBeNull();

    const compare = await tb('compare', 'unscored-b', 'unscored-a', '--fail-on', 'cache_hit_rate<-50pp');
    expect(compare.code, compare.stdout + compare.stderr).toBe(0);
    expect(compare.stdout).toMatch(/pass_rate\s+n\/a\s+n\/a\s+n\/a/);
    const json = await tb('compare', 'unscored-b', 'unscored-a', '--json');
    expect(JSON.parse(json.stdout).variants[0].metrics.pass_rate).toEqual({
      baseline: null,
      candidate: null,
      delta: null,
      relative: null,
    });
    // a condition that cannot be measured is never passed silently
    const gated = await tb('compare', 'unscored-b', 'unscored-a', '--fail-on', 'pass_rate<-5pp');
    expect(gated.code).toBe(1);
    expect(gated.stdout).toContain(
      'FAIL  pass_rate<-5pp  [codex]  change n/a (baseline has no scored sample)',
    );

    const history = await tb('history');
    expect(history.stdout).toMatch(/unscored-a\s+\S+ \S+\s+completed\s+\d+\s+n\/a\s/);
  });

  test('--group-by model: a sample per model', async () => {
    const r = await tb('ingest', join(sessions, '2025'), '--group-by', 'model', '--run-id', 'by-model');
    expect(r.code, r.stderr).toBe(0);
    const samples = readJsonl(join(results, 'by-model', 'samples.jsonl')) as { sample_id: string }[];
    expect(samples.map((s) => s.sample_id).sort()).toEqual(['codex/gpt-5', 'codex/gpt-5-codex']);
  });

  test('a line past 64 MiB (a broken or hostile log) is skipped with a warning, and the rest is read', async () => {
    const dir = join(home, 'overlong');
    mkdirSync(dir);
    const log = readFileSync(join(FIXTURES, 'v0.171', 'parallel-calls.jsonl'), 'utf8').split('\n');
    const huge = `{"type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"${'a'.repeat(65 * 1024 * 1024)}"}]}}`;
    writeFileSync(
      join(dir, 'rollout-2026-12-02T10-00-00-overlong.jsonl'),
      [...log.slice(0, 3), huge, ...log.slice(3)].join('\n'),
    );
    const r = await tb('ingest', dir, '--run-id', 'overlong', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/overlong\.jsonl:4: longer than 64 MiB \(\d+ bytes\); line skipped/);
    expect(JSON.parse(r.stdout)).toMatchObject({ sessions: 1, turns: 3 });
  });

  test('bad input is one line naming the flag or path, exit 2; an existing run is refused', async () => {
    const bad = await tb('ingest', sessions, '--group-by', 'week');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--group-by: one of session, task, day, model/);
    const since = await tb('ingest', sessions, '--since', 'last tuesday');
    expect(since.code).toBe(2);
    expect(since.stderr).toMatch(/--since: "last tuesday" is not a date/);
    const missing = await tb('ingest', join(home, 'nowhere'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nowhere: no such file or folder/);
    const again = await tb('ingest', sessions, '--run-id', 'this-week');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
  });
});
