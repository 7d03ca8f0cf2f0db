import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJsonl as readRecords, readSamples } from '../../../src/report/index.js';
import {
  type EventRecord,
  EventRecordSchema,
  type SampleRecord,
  type ToolCallEvent,
  type TurnRecord,
  TurnRecordSchema,
} from '../../../src/telemetry/index.js';
import { listenOnLoopback } from '../../helpers/loopback.js';
import { assertBuilt, runCli } from '../cli/helpers.js';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from './otlp-receiver.js';

const SUITE = 'test/fixtures/suites/graded/suite.yaml';
const SPAN_KIND_INTERNAL = 1;
const SPAN_KIND_CLIENT = 3;

async function records(runDir: string) {
  const samples = [...(await readSamples(runDir)).samples.values()];
  const turns: TurnRecord[] = [];
  const events: EventRecord[] = [];
  await readRecords(join(runDir, 'turns.jsonl'), TurnRecordSchema, (t) => void turns.push(t));
  await readRecords(join(runDir, 'events.jsonl'), EventRecordSchema, (e) => void events.push(e));
  return { samples, turns, events };
}

/** The spans of one sample's trace: its root (by conversation id) and everything in that trace. */
function traceOf(spans: ReceivedSpan[], s: SampleRecord) {
  const root = spans.find(
    (x) =>
      x.name.startsWith('invoke_agent ') &&
      x.attributes['gen_ai.conversation.id'] === `${s.run_id}/${s.sample_id}`,
  );
  if (!root) throw new Error(`no invoke_agent span for ${s.sample_id}`);
  return { root, all: spans.filter((x) => x.traceId === root.traceId) };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listenOnLoopback(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('OpenTelemetry export over OTLP/HTTP, received by a real OTLP decoder on loopback', () => {
  const resultsDir = mkdtempSync(join(tmpdir(), 'tb-otel-'));
  let receiver: OtlpReceiver;
  let stderr: string;
  let data: Awaited<ReturnType<typeof records>>;

  beforeAll(async () => {
    assertBuilt();
    receiver = await startOtlpReceiver();
    const out = await runCli(
      [
        'run',
        SUITE,
        '--run-id',
        'otel',
        '--results-dir',
        resultsDir,
        '--sandbox',
        'local',
        '--otel',
        receiver.url,
      ],
      // the standard variables must not redirect what --otel names
      { env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_SERVICE_NAME: 'tb-test' } },
    );
    if (out.code !== 0) throw new Error(`run failed (${out.code}):\n${out.stderr}`);
    stderr = out.stderr;
    data = await records(join(resultsDir, 'otel'));
  });
  afterAll(() => receiver?.close());

  it('sends protobuf (the OTLP/HTTP default) and says where the traces went', () => {
    expect(receiver.contentTypes.length).toBeGreaterThan(0);
    expect(receiver.contentTypes.every((t) => t === 'application/x-protobuf')).toBe(true);
    const spanCount =
      data.turns.length + data.samples.length * 2 + data.events.filter((e) => e.type === 'tool_call').length;
    expect(receiver.spans).toHaveLength(spanCount);
    expect(stderr).toContain(`traces: ${spanCount} spans exported to ${receiver.url}/v1/traces`);
    expect(receiver.spans[0]?.resource['service.name']).toBe('tb-test');
  });

  it('one trace per sample: an invoke_agent root, a chat span per model request and per grader, execute_tool per call', () => {
    const traceIds = new Set<string>();
    for (const s of data.samples) {
      const { root, all } = traceOf(receiver.spans, s);
      expect(traceIds.has(root.traceId)).toBe(false);
      traceIds.add(root.traceId);
      expect(root.name).toBe('invoke_agent turnbench');
      expect(root.parentSpanId).toBe('');
      expect(root.kind).toBe(SPAN_KIND_INTERNAL);
      expect(root.attributes).toMatchObject({
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': 'turnbench',
        'gen_ai.provider.name': 'sim',
        'gen_ai.request.model': 'sim-1',
        'gen_ai.usage.input_tokens': s.input_tokens,
        'gen_ai.usage.output_tokens': s.output_tokens,
        'turnbench.sample.id': s.sample_id,
        'turnbench.passed': s.passed ?? 'null',
      });
      expect(root.startMs).toBe(Date.parse(s.started_at));
      expect(root.endMs).toBe(Date.parse(s.ended_at));
      for (const child of all.filter((x) => x !== root))
        expect(child.parentSpanId, child.name).toBe(root.spanId);

      const own = data.turns.filter((t) => t.sample_id === s.sample_id);
      const chats = all.filter(
        (x) => x.name === 'chat sim-1' && x.attributes['turnbench.turn.kind'] !== 'grader',
      );
      expect(chats).toHaveLength(own.length);
      const tools = data.events.filter(
        (e): e is ToolCallEvent => e.type === 'tool_call' && e.sample_id === s.sample_id,
      );
      const toolSpans = all.filter((x) => x.name.startsWith('execute_tool '));
      expect(toolSpans.map((x) => x.attributes['gen_ai.tool.call.id']).sort()).toEqual(
        tools.map((t) => t.call_id).sort(),
      );
      for (const t of tools) {
        const span = toolSpans.find((x) => x.attributes['gen_ai.tool.call.id'] === t.call_id);
        expect(span?.name).toBe(`execute_tool ${t.tool}`);
        expect(span?.attributes['gen_ai.tool.name']).toBe(t.tool);
        expect(span?.endMs).toBe(Date.parse(t.at));
      }
      const graders = all.filter((x) => x.attributes['turnbench.turn.kind'] === 'grader');
      expect(graders).toHaveLength(s.grades?.length ?? 0);
      expect(graders[0]?.attributes['gen_ai.usage.input_tokens']).toBe(s.grades?.[0]?.input_tokens);
      expect(root.events.filter((e) => e.name === 'gen_ai.evaluation.result')).toHaveLength(
        s.grades?.length ?? 0,
      );
    }
  });

  it('a two-turn sample: each chat span carries its turn record’s tokens, ids, timing and cache figures', () => {
    const s = data.samples.find((x) => x.task_id === 'solved');
    if (!s) throw new Error('no solved sample');
    expect(s.turns).toBe(2);
    const { root, all } = traceOf(receiver.spans, s);
    for (const t of data.turns.filter((x) => x.sample_id === s.sample_id)) {
      const span = all.find((x) => x.attributes['turnbench.turn'] === t.turn && x.name.startsWith('chat '));
      expect(span, `turn ${t.turn}`).toBeDefined();
      expect(span?.parentSpanId).toBe(root.spanId);
      expect(span?.kind).toBe(SPAN_KIND_CLIENT);
      expect(span?.startMs).toBe(Date.parse(t.started_at));
      expect(span?.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': t.provider,
        'gen_ai.request.model': t.model,
        'gen_ai.response.id': t.response_id ?? '',
        'gen_ai.conversation.id': `${t.run_id}/${t.sample_id}`,
        'gen_ai.usage.input_tokens': t.input_tokens,
        'gen_ai.usage.cache_read.input_tokens': t.cached_tokens ?? -1,
        'gen_ai.usage.output_tokens': t.output_tokens,
        'gen_ai.usage.reasoning.output_tokens': t.reasoning_tokens ?? -1,
        'turnbench.cache.class': t.cache_class,
        'turnbench.cost_usd': t.cost_usd ?? -1,
        'turnbench.turn.kind': t.kind,
      });
      if (t.cache_write_tokens !== null)
        expect(span?.attributes['gen_ai.usage.cache_creation.input_tokens']).toBe(t.cache_write_tokens);
    }
  });

  it('exports no content unless asked', () => {
    for (const span of receiver.spans) {
      expect(span.attributes['gen_ai.output.messages']).toBeUndefined();
      expect(span.attributes['turnbench.score.detail']).toBeUndefined();
      for (const e of span.events) expect(e.attributes['gen_ai.evaluation.explanation']).toBeUndefined();
    }
  });

  it('export <run>: the same traces from the finished run, over OTLP/JSON from the OTEL_* variables, with content when asked', async () => {
    const json = await startOtlpReceiver();
    try {
      const out = await runCli(['export', 'otel', '--results-dir', resultsDir, '--otel-content', '--json'], {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: json.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
      });
      expect(out.code, out.stderr).toBe(0);
      const result = JSON.parse(out.stdout) as {
        spans: number;
        exported: number;
        failed: number;
        samples: number;
      };
      expect(result).toMatchObject({
        spans: receiver.spans.length,
        exported: receiver.spans.length,
        failed: 0,
      });
      expect(json.contentTypes.every((t) => t.startsWith('application/json'))).toBe(true);
      const names = (spans: ReceivedSpan[]) => spans.map((x) => x.name).sort();
      expect(names(json.spans)).toEqual(names(receiver.spans));
      const solved = data.samples.find((x) => x.task_id === 'solved');
      if (!solved) throw new Error('no solved sample');
      const { root } = traceOf(json.spans, solved);
      expect(JSON.parse(String(root.attributes['gen_ai.output.messages']))).toEqual([
        { role: 'assistant', parts: [{ type: 'text', content: solved.final_answer }], finish_reason: 'stop' },
      ]);
      const evaluation = root.events.find((e) => e.name === 'gen_ai.evaluation.result');
      expect(evaluation?.attributes['gen_ai.evaluation.explanation']).toBe(solved.grades?.[0]?.explanation);
      expect(evaluation?.attributes['gen_ai.evaluation.score.value']).toBe(solved.grades?.[0]?.score);
    } finally {
      await json.close();
    }
  });

  it('export of an ingested Codex session: invoke_agent codex, its requests and tool calls, tokens from its records', async () => {
    const ingest = await runCli([
      'ingest',
      'test/fixtures/codex/v0.171/parallel-calls.jsonl',
      '--run-id',
      'ingested',
      '--results-dir',
      resultsDir,
    ]);
    expect(ingest.code, ingest.stderr).toBe(0);
    const ingested = await records(join(resultsDir, 'ingested'));
    expect(ingested.samples.length).toBeGreaterThan(0);
    const sink = await startOtlpReceiver();
    try {
      const out = await runCli(['export', 'ingested', '--results-dir', resultsDir, '--otel', sink.url]);
      expect(out.code, out.stderr).toBe(0);
      for (const s of ingested.samples) {
        const { root, all } = traceOf(sink.spans, s);
        expect(root.name).toBe('invoke_agent codex');
        const own = ingested.turns.filter((t) => t.sample_id === s.sample_id);
        const chats = all.filter((x) => x.name.startsWith('chat '));
        expect(chats).toHaveLength(own.length);
        for (const t of own) {
          const span = chats.find((x) => x.attributes['turnbench.turn'] === t.turn);
          expect(span?.parentSpanId).toBe(root.spanId);
          expect(span?.attributes['gen_ai.usage.input_tokens']).toBe(t.input_tokens);
          expect(span?.attributes['gen_ai.usage.output_tokens']).toBe(t.output_tokens);
          expect(span?.attributes['gen_ai.usage.cache_read.input_tokens']).toBe(t.cached_tokens ?? undefined);
        }
        const calls = ingested.events.filter((e) => e.type === 'tool_call' && e.sample_id === s.sample_id);
        expect(all.filter((x) => x.name.startsWith('execute_tool '))).toHaveLength(calls.length);
      }
    } finally {
      await sink.close();
    }
  });

  it('an absent collector never fails the run: bounded retries, one warning', async () => {
    const port = await closedPort();
    const started = Date.now();
    const out = await runCli(
      [
        'run',
        SUITE,
        '--run-id',
        'otel-absent',
        '--results-dir',
        resultsDir,
        '--sandbox',
        'local',
        '--otel',
        `http://127.0.0.1:${port}`,
      ],
      { env: { OTEL_EXPORTER_OTLP_TIMEOUT: '1500' } },
    );
    expect(out.code, out.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(60_000);
    const warnings = out.stderr.split('\n').filter((l) => l.includes('warning'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/OpenTelemetry export to http:\/\/127\.0\.0\.1:\d+\/v1\/traces failed/);
    const samples = (await readSamples(join(resultsDir, 'otel-absent'))).samples;
    expect(samples.size).toBe(2);
  });

  it('export to an absent collector is a failed command (exit 1), one line', async () => {
    const port = await closedPort();
    const out = await runCli(
      ['export', 'otel', '--results-dir', resultsDir, '--otel', `http://127.0.0.1:${port}`],
      {
        env: { OTEL_EXPORTER_OTLP_TIMEOUT: '1000' },
      },
    );
    expect(out.code).toBe(1);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toMatch(
      /^error: \d+ of \d+ spans not exported to http:\/\/127\.0\.0\.1:\d+\/v1\/traces: /,
    );
  });
});
