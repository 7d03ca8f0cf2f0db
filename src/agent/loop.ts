import type { McpServerSpec, ResolvedLimits, VariantSpec } from '../config/index.js';
import type {
  CallOptions,
  ConcurrencyChange,
  ModelClient,
  ModelRequest,
  ModelResponse,
  OutputItem,
  PromptItem,
} from '../model/index.js';
import type { Sandbox } from '../sandbox/index.js';
import {
  cacheBreakEvent,
  describePromptChange,
  eventHeader,
  outputItemsAsInput,
  type RecordSink,
  TurnTracker,
} from '../telemetry/index.js';
import { compactionPolicy } from './compaction/index.js';
import type { McpRuntime, McpToolset } from './mcp/index.js';
import { applyPerturbation } from './perturb.js';
import { type EnvironmentContext, orderTools, preambleItems, renderInstructions } from './prompt.js';
import { asksForEncryptedReasoning, historyItems } from './reasoning.js';
import { logicalRequest, wireRequest } from './request.js';
import { runToolCalls, toolCallsOf } from './tool-calls.js';
import { type ToolContext, toolDefinitions } from './tools/index.js';
import { addUsage, type SampleTotals } from './totals.js';

export interface SampleIdentity {
  runId: string;
  sampleId: string;
  taskId: string;
  variant: string;
  epoch: number;
}

export interface AgentRunInput {
  identity: SampleIdentity;
  variant: VariantSpec;
  taskText: string;
  limits: ResolvedLimits;
  model: ModelClient;
  sandbox: Sandbox;
  sink: RecordSink;
  /** Aborts the loop (cancellation or wall timeout); the reason is the caller's to interpret. */
  signal: AbortSignal;
  env: EnvironmentContext;
  promptCacheKey: string | undefined;
  costOf: (model: string, usage: ModelResponse['usage']) => number | null;
  /** Updated as the loop goes, so a caller still has the figures when the loop throws. */
  totals: SampleTotals;
  /** The sample's MCP servers (the variant's and the task's) and where they find turnbench's Node. */
  mcp?: SampleMcp;
  now?: () => Date;
}

export interface SampleMcp {
  servers: McpServerSpec[];
  /** turnbench's Node runtime inside this sample's sandbox; null when it was not given one. */
  sandboxRuntime: McpRuntime | null;
  hostRuntime: McpRuntime;
  /** Working directory of servers that run on the host (the task folder). */
  hostDir: string;
}

export type StopReason = 'final' | 'max_turns' | 'max_total_tokens' | 'max_cost';

export interface AgentRunResult {
  stopReason: StopReason;
  finalAnswer: string | null;
}

function finalText(output: OutputItem[]): string | null {
  const texts = output.flatMap((item) =>
    item.type === 'message'
      ? item.content.flatMap((part) => (part.type === 'output_text' ? [part.text] : []))
      : [],
  );
  return texts.length > 0 ? texts.join('') : null;
}

/**
 * One sample's conversation: send the prompt, run the tool calls it asks for in the sandbox,
 * append calls and outputs to the history, and send again until a final answer or a limit.
 */
export async function runAgent(input: AgentRunInput): Promise<AgentRunResult> {
  const toolset = await openMcpTools(input);
  try {
    return await converse(input, toolset);
  } finally {
    await toolset?.close();
  }
}

/** The sample's MCP servers, started; their lifecycle and tool changes become events. */
async function openMcpTools(input: AgentRunInput): Promise<McpToolset | null> {
  const { mcp, variant, sink, identity, totals } = input;
  if (!mcp || mcp.servers.length === 0) return null;
  const { McpToolset } = await import('./mcp/index.js');
  const eventAt = (turn: number) => eventHeader(identity.runId, identity.sampleId, turn);
  return McpToolset.open({
    servers: mcp.servers,
    launch: {
      sandbox: input.sandbox,
      sandboxRuntime: mcp.sandboxRuntime,
      hostRuntime: mcp.hostRuntime,
      hostDir: mcp.hostDir,
    },
    layout: variant.mcp?.tool_layout ?? 'codex',
    policy: variant.mcp?.on_list_changed ?? 'rebuild',
    onServer: (e) =>
      sink.event({
        ...eventAt(totals.turns),
        type: 'mcp_server',
        server: e.server,
        action: e.action,
        run_on: e.runOn,
        tools: e.tools,
        duration_ms: e.durationMs,
        detail: e.detail,
      }),
    onChange: (change) => sink.event({ ...eventAt(totals.turns), type: 'tools_changed', ...change }),
  });
}

/**
 * The sample's model client: each request, the loop's and its compaction requests alike, records
 * the concurrency changes its attempts cause, on the turn in progress.
 */
function recordingConcurrency(input: AgentRunInput): ModelClient {
  const { model, sink, identity, totals } = input;
  const record = (change: ConcurrencyChange) =>
    sink.event({
      ...eventHeader(identity.runId, identity.sampleId, totals.turns + 1),
      type: 'concurrency',
      endpoint: change.endpoint,
      from: change.from,
      to: change.to,
      reason: change.reason,
      status: change.status,
      retry_after_ms: change.retryAfterMs,
      in_flight: change.inFlight,
    });
  const withRecord = (opts: CallOptions = {}): CallOptions => ({ onConcurrency: record, ...opts });
  const compact = model.compact?.bind(model);
  return {
    provider: model.provider,
    api: model.api,
    respond: (req, opts) => model.respond(req, withRecord(opts)),
    ...(compact ? { compact: (req, opts) => compact(req, withRecord(opts)) } : {}),
  };
}

async function converse(input: AgentRunInput, mcp: McpToolset | null): Promise<AgentRunResult> {
  const { variant, limits, sandbox, sink, signal, identity, totals } = input;
  const model = recordingConcurrency(input);
  const now = input.now ?? (() => new Date());
  const policy = compactionPolicy(variant.compaction);
  const baseTools = toolDefinitions(variant.tools);
  const tracker = new TurnTracker({ identity, provider: model.provider, costOf: input.costOf });
  const toolState: ToolContext['state'] = { plan: [] };

  let items: PromptItem[] = preambleItems(variant, input.taskText, input.env);
  let lastResponseId: string | null = null;
  let sentUpTo = 0; // items already known to the server, for previous_response_id mode
  let agentTurns = 0;
  let afterCompaction = false;
  let previous: { request: ModelRequest; output: OutputItem[] } | null = null;
  const diffedReasons = new Set<string>();
  const eventAt = (turn: number) => eventHeader(identity.runId, identity.sampleId, turn);

  while (true) {
    signal.throwIfAborted();
    if (agentTurns >= limits.max_turns) return { stopReason: 'max_turns', finalAnswer: null };
    if (totals.inputTokens + totals.outputTokens >= limits.max_total_tokens) {
      return { stopReason: 'max_total_tokens', finalAnswer: null };
    }
    if (limits.max_cost_usd !== null && (totals.costUsd ?? 0) >= limits.max_cost_usd) {
      return { stopReason: 'max_cost', finalAnswer: null };
    }
    agentTurns += 1;
    const turn = totals.turns + 1;
    const instructions = renderInstructions(variant.instructions, agentTurns, now());
    const shape = applyPerturbation(
      variant.layout.perturb,
      agentTurns,
      {
        model: variant.model,
        tools: [...orderTools(baseTools, variant.layout, agentTurns), ...(mcp?.definitions() ?? [])],
        items,
        reasoningEffort: variant.reasoning_effort,
        promptCacheKey: input.promptCacheKey,
      },
      input.env,
      now(),
    );
    items = shape.items;
    const logical = logicalRequest(variant, shape, instructions, {
      serverCompactThreshold: policy.serverThreshold,
      comparisonResponseId: lastResponseId,
      encryptedReasoning: asksForEncryptedReasoning(variant, shape.model, shape.reasoningEffort),
    });
    const wire = wireRequest(logical, variant.mode, sentUpTo, lastResponseId);

    const startedAt = now();
    const response = await model.respond(wire, {
      signal,
      onRetry: (notice) =>
        sink.event({
          ...eventAt(turn),
          type: 'retry',
          attempt: notice.attempt,
          delay_ms: notice.delayMs,
          status: notice.status,
          message: notice.message,
        }),
    });
    const calls = toolCallsOf(response.output);
    const outputAsInput = historyItems(outputItemsAsInput(response.output), variant);
    const record = tracker.record({
      turn,
      startedAt,
      request: logical,
      response,
      outputAsInput,
      afterCompaction,
      toolCalls: calls.length,
    });
    sink.turn(record);
    if (record.prefix.extends_previous === false && !afterCompaction) {
      totals.cacheBreaks += 1;
      const reason = record.prefix.reason ?? 'unknown';
      const diff =
        previous && !diffedReasons.has(reason)
          ? describePromptChange(previous.request, logical, previous.output)
          : null;
      diffedReasons.add(reason);
      sink.event(cacheBreakEvent(eventAt(turn), record.prefix, diff));
    }
    previous = { request: logical, output: response.output };
    addUsage(totals, response, record.cost_usd);
    afterCompaction = false;
    lastResponseId = response.id;

    items = [...items, ...outputAsInput];
    sentUpTo = items.length;

    if (calls.length === 0) return { stopReason: 'final', finalAnswer: finalText(response.output) ?? '' };

    const ctx: ToolContext = {
      sandbox,
      commandTimeoutMs: limits.command_timeout_s * 1000,
      maxOutputBytes: limits.max_output_bytes,
      signal,
      state: toolState,
    };
    const outputs = await runToolCalls(
      calls,
      ctx,
      variant.tools,
      (call, outcome, durationMs) => {
        totals.toolCalls += 1;
        if (!outcome.ok && outcome.error !== 'nonzero_exit') totals.toolErrors += 1;
        sink.event({
          ...eventAt(turn),
          type: 'tool_call',
          call_id: call.call_id,
          tool: call.name,
          ok: outcome.ok,
          error: outcome.error,
          exit_code: outcome.exitCode,
          duration_ms: durationMs,
          output_bytes: Buffer.byteLength(outcome.output),
          truncated: outcome.truncated,
        });
      },
      mcp,
    );
    items = [...items, ...outputs];
    // A server that changed its tools during these calls has said so by now; apply its policy.
    await mcp?.settle();

    const compacted = await policy.afterTurn(
      { items, lastInputTokens: response.usage.inputTokens, lastOutput: response.output },
      {
        model,
        request: logical,
        signal,
        countTokens: (list) => tracker.countItems(list),
        recordRequest: (kind, req) => {
          const compactionTurn = totals.turns + 1;
          const rec = tracker.recordSideRequest({
            kind,
            turn: compactionTurn,
            startedAt: new Date(),
            model: shape.model,
            response: req.response,
            itemCount: req.itemCount,
          });
          sink.turn(rec);
          addUsage(totals, req.response, rec.cost_usd);
        },
      },
    );
    if (compacted) {
      totals.compactions += 1;
      sink.event({
        ...eventAt(totals.turns),
        type: 'compaction',
        method: compacted.method,
        tokens_before: compacted.tokensBefore,
        tokens_after: compacted.tokensAfter,
        items_before: items.length,
        items_after: compacted.items.length,
        latency_ms: compacted.latencyMs,
        input_tokens: compacted.usage?.inputTokens ?? 0,
        output_tokens: compacted.usage?.outputTokens ?? 0,
        cost_usd: compacted.usage ? input.costOf(shape.model, compacted.usage) : 0,
      });
      items = compacted.items;
      afterCompaction = true;
      mcp?.compacted();
      // A compacted history cannot chain onto the previous stored response.
      lastResponseId = variant.mode === 'previous_response_id' ? null : lastResponseId;
      sentUpTo = 0;
    }
  }
}
