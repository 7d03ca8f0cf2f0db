import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSessionLog } from '../../../src/agents/index.js';
import type { SimServer } from '../../../src/sim/index.js';
import {
  type EventRecord,
  EventRecordSchema,
  type SampleRecord,
  SampleRecordSchema,
  type TurnRecord,
  TurnRecordSchema,
} from '../../../src/telemetry/index.js';
import { assertBuilt, CLI, REPO, readJsonl, runCli, turnbenchContainers } from '../cli/helpers.js';
import {
  containerOf,
  docker,
  filesUnder,
  recordingUpstream,
  rolloutLines,
  type SeenRequest,
  simForSuite,
  waitFor,
} from './helpers.js';

const SUITE = 'test/fixtures/agents/codex/suite.yaml';
/** The real key of the `openai` variant: it must reach the provider and nothing else. */
const SECRET = 'sk-tb-secret-7f3a9c1e5b2d4086';

/**
 * The real Codex CLI (the pinned @openai/codex build) in real Docker sandboxes against the sim,
 * every model request through the recording proxy.
 */
describe('Codex CLI in a Docker sandbox, recorded by the proxy', () => {
  const resultsDir = mkdtempSync(join(tmpdir(), 'tb-codex-'));
  // The engine is shared: containers are told apart by run id, so no other suite's run may share it.
  const runId = `codex-${process.pid}`;
  const runDir = join(resultsDir, runId);
  let sim: SimServer;
  let upstream: Awaited<ReturnType<typeof recordingUpstream>>;
  let samples: SampleRecord[];
  let turns: TurnRecord[];
  let events: EventRecord[];
  let seen: SeenRequest[];
  let inside: { env: string; environ: string; files: string; placeholderSeen: boolean };
  let code: number | null;
  let stderr = '';

  beforeAll(async () => {
    assertBuilt();
    sim = await simForSuite(join(REPO, SUITE));
    upstream = await recordingUpstream(sim.url);
    const child = spawn(
      process.execPath,
      [CLI, 'run', SUITE, '--run-id', runId, '--results-dir', resultsDir],
      {
        cwd: REPO,
        env: { ...process.env, NO_COLOR: '1', OPENAI_BASE_URL: upstream.url, TB_AGENT_TEST_KEY: SECRET },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

    // While the `openai` variant's agent waits in its `sleep 4`, look inside its sandbox.
    const turnsFile = join(runDir, 'turns.jsonl');
    const reached = () =>
      existsSync(turnsFile) &&
      readJsonl(turnsFile).some((l) => {
        const t = l as { sample_id?: string; turn?: number };
        return t.sample_id === 'files__openai__e1' && t.turn === 2;
      });
    await waitFor(
      () => (reached() ? true : null),
      150_000,
      'the openai files sample to reach its second turn',
    );
    const id = await waitFor(() => containerOf('files__openai__e1'), 10_000, 'its container');
    const env = await docker(['inspect', '--format', '{{json .Config.Env}}', id]);
    // As the sandbox user (the container's own user is root, out of the agent's reach): what the
    // agent's processes and files hold is what it could read.
    const environ = await docker([
      'exec',
      '-u',
      '1000:1000',
      id,
      'sh',
      '-c',
      'for f in /proc/[0-9]*/environ; do tr "\\0" "\\n" < "$f"; echo; done 2>/dev/null',
    ]);
    const grep = (needle: string) =>
      docker([
        'exec',
        '-u',
        '1000:1000',
        id,
        'sh',
        '-c',
        `grep -rIl -D skip -e '${needle}' / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev 2>/dev/null; true`,
      ]);
    const [files, control] = await Promise.all([grep(SECRET), grep('openai_base_url')]);
    inside = {
      env,
      environ,
      files,
      // positive controls: the same searches find what is there (the placeholder, Codex's config)
      placeholderSeen:
        environ.includes('OPENAI_API_KEY=turnbench-proxy-holds-the-key') &&
        control.includes('/home/agent/.codex/config.toml'),
    };

    code = await exited;
    samples = readJsonl(join(runDir, 'samples.jsonl')).map((l) => SampleRecordSchema.parse(l));
    turns = readJsonl(turnsFile).map((l) => TurnRecordSchema.parse(l));
    events = readJsonl(join(runDir, 'events.jsonl')).map((l) => EventRecordSchema.parse(l));
    seen = upstream.seen;
  }, 240_000);

  afterAll(async () => {
    await upstream?.close();
    await sim?.close();
  });

  it('runs every sample to a pass, Codex exiting 0', () => {
    expect(code, stderr.slice(-3000)).toBe(0);
    expect(samples.map((s) => s.sample_id).sort()).toEqual(
      [
        'egress__custom__e1',
        'egress__openai__e1',
        'egress__websocket__e1',
        'files__custom__e1',
        'files__openai__e1',
        'files__websocket__e1',
      ].sort(),
    );
    for (const s of samples) {
      expect(s.status, s.sample_id).toBe('completed');
      expect(s.passed, `${s.sample_id}: ${s.score_detail}`).toBe(true);
      expect(s.agent).toMatchObject({ type: 'codex', version: '0.171.0', exit_code: 0 });
      expect(s.final_answer).not.toBe('');
    }
  });

  it('records every model request: one turn per request the provider answered, each with its forensics', () => {
    // The `openai` variant's provider is the test's stand-in: it counts what really went out.
    const posted = seen.filter((r) => !r.upgrade && r.method === 'POST' && r.path === '/v1/responses');
    const openaiTurns = turns.filter((t) => t.variant === 'openai');
    expect(openaiTurns.length).toBe(posted.length);
    expect(posted.length).toBeGreaterThanOrEqual(8);
    for (const s of samples) {
      const own = turns.filter((t) => t.sample_id === s.sample_id).sort((a, b) => a.turn - b.turn);
      expect(
        own.map((t) => t.turn),
        s.sample_id,
      ).toEqual(own.map((_, i) => i + 1));
      expect(own).toHaveLength(s.turns);
      // one Codex thread per sample: its id is the conversation
      expect(new Set(own.map((t) => t.conversation)).size).toBe(1);
      // over WebSocket Codex first warms the connection up (`generate: false`): a prefill, recorded
      const warmups = own.filter((t) => t.kind === 'warmup');
      expect(warmups.map((t) => t.turn)).toEqual(s.variant === 'websocket' ? [1] : []);
      for (const t of own.filter((t) => t.kind !== 'warmup')) {
        expect(t.kind).toBe('agent');
        expect(t.input_tokens).toBeGreaterThan(1000);
        expect(t.bytes_sent).toBeGreaterThan(10_000);
        expect(t.ttft_ms).not.toBeNull();
        expect(t.latency_ms).toBeGreaterThanOrEqual(t.ttft_ms ?? 0);
        expect(t.response_id).toMatch(/^resp_/);
      }
      // Codex resends its history unchanged: every request after the first extends the last one,
      // and the sim serves the shared prefix from its cache.
      expect(own[0]!.cache_class).toBe('first_turn');
      for (const t of own.slice(1)) {
        expect(t.prefix, `${t.sample_id} turn ${t.turn}`).toMatchObject({
          extends_previous: true,
          reason: null,
        });
        expect(t.cache_class).toBe('hit');
        expect(t.cached_tokens).toBeGreaterThan(7000);
      }
      expect(own.filter((t) => t.kind !== 'warmup')).toHaveLength(4);
      expect(s.tool_calls).toBe(own.reduce((n, t) => n + t.tool_calls, 0));
      expect(s.tool_calls).toBe(3);
    }
  });

  it("equals Codex's own session log, request by request and in total", async () => {
    for (const s of samples) {
      // Codex logs no usage for its WebSocket warm-up: the check leaves it out
      expect(s.agent?.usage_check, s.sample_id).toEqual({
        status: 'match',
        proxy_requests: 4,
        log_requests: 4,
        detail: null,
      });
      const logs = filesUnder(join(runDir, 'samples', s.sample_id, 'codex', 'sessions'));
      expect(logs).toHaveLength(1);
      const log = await readSessionLog(logs[0]!);
      const all = turns.filter((t) => t.sample_id === s.sample_id).sort((a, b) => a.turn - b.turn);
      const own = all.filter((t) => t.kind !== 'warmup');
      expect(log.sessionId).toBe(own[0]!.conversation);
      expect(log.requests.map((r) => r.responseId)).toEqual(own.map((t) => t.response_id));
      expect(
        log.requests.map(({ kind, usage: u }) => [
          kind,
          u.inputTokens,
          u.cachedTokens,
          u.outputTokens,
          u.reasoningTokens,
        ]),
      ).toEqual(
        own.map((t) => [t.kind, t.input_tokens, t.cached_tokens, t.output_tokens, t.reasoning_tokens]),
      );
      const logged = log.requests.reduce((n, r) => n + r.usage.inputTokens, 0);
      const warmup = all.filter((t) => t.kind === 'warmup').reduce((n, t) => n + t.input_tokens, 0);
      expect(s.input_tokens).toBe(logged + warmup);
    }
  });

  it('keeps the key out of the sandbox: the provider got it, the container never had it', () => {
    const posted = seen.filter((r) => !r.upgrade);
    expect(posted.length).toBeGreaterThan(0);
    for (const r of seen) expect(r.authorization).toBe(`Bearer ${SECRET}`);
    expect(inside.env).not.toContain(SECRET);
    expect(inside.environ).not.toContain(SECRET);
    expect(inside.files.trim()).toBe('');
    // the check looked where a key would be: Codex's environment holds the placeholder
    expect(inside.placeholderSeen).toBe(true);
    for (const file of filesUnder(runDir)) expect(readFileSync(file, 'utf8'), file).not.toContain(SECRET);
  });

  it('still blocks every egress attempt from the sandbox: the only way out is the proxy socket', () => {
    for (const variant of ['custom', 'openai', 'websocket']) {
      const id = `egress__${variant}__e1`;
      const [log] = filesUnder(join(runDir, 'samples', id, 'codex', 'sessions'));
      const outputs = rolloutLines(log!)
        .filter((l) => l.type === 'response_item' && l.payload.type === 'function_call_output')
        .map((l) => String(l.payload.output));
      expect(outputs).toHaveLength(3);
      expect(outputs[0]).toContain('Network is unreachable');
      expect(outputs[1]).toContain('NO-DNS');
      expect(outputs[2]).toMatch(/name resolution|unreachable/i);
      for (const output of outputs) expect(output).not.toMatch(/\bCONNECTED\b/);
    }
  });

  it("relays Codex's WebSocket mode, and its fallback to HTTP when the provider has none", () => {
    // Codex's built-in OpenAI provider tries `GET /v1/responses` upgraded first; the proxy passes
    // the attempt on and the provider's refusal back: Codex falls back to HTTP
    expect(seen.some((r) => r.upgrade && r.path === '/v1/responses')).toBe(true);
    const stderrOf = (id: string) => readFileSync(join(runDir, 'samples', id, 'agent-stderr.txt'), 'utf8');
    expect(stderrOf('files__openai__e1')).toContain('Falling back from WebSockets to HTTPS transport');
    // the sim has the WebSocket mode: Codex stays on it, sending only new items each turn
    expect(stderrOf('files__websocket__e1')).not.toContain('Falling back');
    const bytes = (variant: string) =>
      turns
        .filter((t) => t.variant === variant && t.kind === 'agent')
        .reduce((n, t) => n + (t.bytes_sent ?? 0), 0);
    expect(bytes('websocket')).toBeLessThan(bytes('openai') * 0.8);
    // ... yet every turn is checked against its full prompt, rebuilt from the chain
    const ws = turns.filter((t) => t.variant === 'websocket' && t.kind === 'agent');
    const http = turns.filter((t) => t.variant === 'openai' && t.kind === 'agent');
    const items = (list: TurnRecord[], sample: string) =>
      list.filter((t) => t.sample_id.startsWith(sample)).map((t) => t.item_count);
    expect(items(ws, 'files__')).toEqual(items(http, 'files__'));
    expect(events.filter((e) => e.type === 'agent')).toHaveLength(6);
  });

  it('reports, inspects and compares an agent run as any other, gates included', async () => {
    const report = await runCli(['report', runId, '--results-dir', resultsDir]);
    expect(report.code, report.stderr).toBe(0);
    const markdown = readFileSync(join(runDir, 'report.md'), 'utf8');
    for (const variant of ['custom', 'openai', 'websocket']) expect(markdown).toContain(`| ${variant} |`);
    const inspect = await runCli([
      'inspect',
      runId,
      '--results-dir',
      resultsDir,
      '--sample',
      'files__websocket__e1',
    ]);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout).toMatch(/1\s+warmup/);
    expect(inspect.stdout).toContain('no cache break');
    const compare = await runCli([
      'compare',
      runId,
      runId,
      '--results-dir',
      resultsDir,
      '--fail-on',
      'cache_hit_rate<-2pp',
    ]);
    expect(compare.code, compare.stderr).toBe(0);
    expect(compare.stdout).toContain('gates: passed');
  });

  it('leaves no container behind', async () => {
    expect(await turnbenchContainers(runId)).toEqual([]);
  });
});
