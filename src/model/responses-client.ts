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

/** One response's events (SSE or WebSocket alike), read into an attempt: output, usage, timings. */
class ResponseCollector {
  private ttftMs: number | null = null;
  private completed: Response | null = null;

  constructor(private readonly started: number) {}

  /** Throws when the event says the response failed. */
  add(event: ResponseStreamEvent): void {
    if (
      this.ttftMs === null &&
      (event.type === 'response.output_item.added' || event.type.endsWith('.delta'))
    ) {
      this.ttftMs = performance.now() - this.started;
    }
    const failure = terminalError(event);
    if (failure) throw failure;
    if (event.type === 'response.completed' || event.type === 'response.incomplete')
      this.completed = event.response;
  }

  attempt(): OneAttempt {
    const completed = this.completed;
    if (!completed) throw new StreamCutError('stream ended before response.completed');
    return {
      id: completed.id,
      model: completed.model,
      output: completed.output,
      usage: normaliseResponsesUsage(completed.usage),
      ttftMs: this.ttftMs,
      latencyMs: performance.now() - this.started,
      cacheDiagnostics: completed.prompt_cache_diagnostics ?? null,
      incompleteReason:
        completed.status === 'incomplete' ? (completed.incomplete_details?.reason ?? 'unknown') : null,
    };
  }
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
    const collector = new ResponseCollector(performance.now());
    if (this.sockets) {
      for await (const event of (await this.sockets).stream(body, signal, recordBytesSent))
        collector.add(event);
    } else {
      await this.readGuarded(
        () => this.client.responses.create(body),
        signal,
        (event) => collector.add(event),
      );
    }
    return collector.attempt();
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
