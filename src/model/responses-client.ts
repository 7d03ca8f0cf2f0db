import type {
  Response,
  ResponseCreateParamsStreaming,
  ResponseInputItem,
  ResponseStreamEvent,
} from 'openai/resources/responses/responses';
import type { ResponsesSocketPool } from './responses-socket.js';
import { StreamCutError } from './retry.js';
import {
  type ClientOptions,
  meteredWithRetries,
  type OneAttempt,
  recordBytesSent,
  SdkModelClient,
} from './sdk-client.js';
import type { CallOptions, CompactRequest, CompactResponse, ModelRequest } from './types.js';
import { normaliseResponsesUsage } from './usage.js';

/** The request body we send (the SDK serialises it; bytes sent are counted on the wire). */
export function responsesBody(req: ModelRequest): ResponseCreateParamsStreaming {
  const body: ResponseCreateParamsStreaming = {
    model: req.model,
    instructions: req.instructions,
    input: req.input,
    tools: req.tools,
    parallel_tool_calls: req.parallelToolCalls,
    store: req.store,
    stream: true,
  };
  if (req.previousResponseId) body.previous_response_id = req.previousResponseId;
  if (req.promptCacheKey) body.prompt_cache_key = req.promptCacheKey;
  if (req.promptCacheRetention) body.prompt_cache_retention = req.promptCacheRetention;
  if (req.promptCacheMode || req.promptCacheTtl || req.comparisonResponseId) {
    body.prompt_cache_options = {
      ...(req.promptCacheMode ? { mode: req.promptCacheMode } : {}),
      ...(req.promptCacheTtl ? { ttl: req.promptCacheTtl } : {}),
      ...(req.comparisonResponseId ? { comparison_response_id: req.comparisonResponseId } : {}),
    };
  }
  if (req.reasoningEffort) body.reasoning = { effort: req.reasoningEffort };
  if (req.includeEncryptedReasoning) body.include = ['reasoning.encrypted_content'];
  if (req.maxOutputTokens) body.max_output_tokens = req.maxOutputTokens;
  if (req.compactThreshold)
    body.context_management = [{ type: 'compaction', compact_threshold: req.compactThreshold }];
  return body;
}

function terminalError(event: ResponseStreamEvent): Error | null {
  if (event.type === 'error') return new Error(`provider error event: ${event.message}`);
  if (event.type === 'response.failed') {
    return new Error(`response failed: ${event.response.error?.message ?? 'unknown error'}`);
  }
  return null;
}

/** Read one response's events (SSE or WebSocket alike) into an attempt: output, usage, timings. */
async function collectResponse(
  events: AsyncIterable<ResponseStreamEvent>,
  started: number,
): Promise<OneAttempt> {
  let ttftMs: number | null = null;
  let completed: Response | null = null;
  for await (const event of events) {
    if (ttftMs === null && (event.type === 'response.output_item.added' || event.type.endsWith('.delta'))) {
      ttftMs = performance.now() - started;
    }
    const failure = terminalError(event);
    if (failure) throw failure;
    if (event.type === 'response.completed' || event.type === 'response.incomplete')
      completed = event.response;
  }
  if (!completed) throw new StreamCutError('stream ended before response.completed');
  return {
    id: completed.id,
    model: completed.model,
    output: completed.output,
    usage: normaliseResponsesUsage(completed.usage),
    ttftMs,
    latencyMs: performance.now() - started,
    cacheDiagnostics: completed.prompt_cache_diagnostics ?? null,
    incompleteReason:
      completed.status === 'incomplete' ? (completed.incomplete_details?.reason ?? 'unknown') : null,
  };
}

export class ResponsesClient extends SdkModelClient<ResponseCreateParamsStreaming> {
  readonly api = 'responses' as const;
  /** Set when the variant's transport is `websocket` (the WebSocket client is loaded only then). */
  private readonly sockets: Promise<ResponsesSocketPool> | null;

  constructor(opts: ClientOptions) {
    super(opts);
    this.sockets =
      opts.transport === 'websocket'
        ? import('./responses-socket.js').then(
            (m) => new m.ResponsesSocketPool(this.client, this.requestTimeoutMs),
          )
        : null;
  }

  protected body(req: ModelRequest): ResponseCreateParamsStreaming {
    return responsesBody(req);
  }

  protected async streamOnce(
    body: ResponseCreateParamsStreaming,
    signal: AbortSignal | undefined,
  ): Promise<OneAttempt> {
    const started = performance.now();
    const events = this.sockets
      ? (await this.sockets).stream(body, signal, recordBytesSent)
      : this.guardedStream((s) => this.client.responses.create(body, { signal: s }), signal);
    return collectResponse(events, started);
  }

  override close(): void {
    void this.sockets?.then((pool) => pool.close());
  }

  async compact(req: CompactRequest, call: CallOptions = {}): Promise<CompactResponse> {
    const body = {
      model: req.model,
      instructions: req.instructions,
      input: req.input,
      ...(req.promptCacheKey ? { prompt_cache_key: req.promptCacheKey } : {}),
    };
    const started = performance.now();
    const { value, bytesSent } = await meteredWithRetries(
      (signal) => this.client.responses.compact(body, { signal: this.requestSignal(signal) }),
      call,
    );
    return {
      id: value.id,
      output: value.output as ResponseInputItem[],
      usage: normaliseResponsesUsage(value.usage),
      latencyMs: performance.now() - started,
      bytesSent,
    };
  }
}
