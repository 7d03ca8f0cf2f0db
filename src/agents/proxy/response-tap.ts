import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import * as z from 'zod';
import { type NormalisedUsage, normaliseChatUsage, normaliseResponsesUsage } from '../../model/index.js';
import type { ObservedApi } from './observed-request.js';
import { MAX_BODY_BYTES } from './size-limits.js';

/** What the proxy learns from a provider's answer while passing it through. */
export interface ObservedResponse {
  id: string | null;
  model: string | null;
  usage: NormalisedUsage | null;
  /** Output items as the provider sent them (Responses); empty for Chat Completions. */
  output: unknown[];
  /** Tool calls the model asked for. */
  toolCalls: number;
  diagnostics: unknown;
  incompleteReason: string | null;
  /** A failure reported inside a 200 answer (`response.failed`, an `error` event, a cut stream). */
  error: string | null;
}

/**
 * What a tap kept of an answer, as it can be structured-cloned: a Responses answer's terminal
 * event is kept as text and parsed later (it holds the whole output), other answers are parsed.
 */
export type RawResponse =
  | { kind: 'responses'; id: string | null; terminal: string | null }
  | { kind: 'parsed'; response: ObservedResponse };

/**
 * An SSE parser that holds at most MAX_BODY_BYTES of an unfinished event: a provider streaming
 * without event boundaries would otherwise grow it for as long as the sample lasts. Past that the
 * tap stops reading (the bytes still pass to the agent) and its record says why.
 */
function boundedSse(onEvent: (message: EventSourceMessage) => void, onOverflow: () => void) {
  return createParser({
    onEvent,
    maxBufferSize: MAX_BODY_BYTES,
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') onOverflow();
    },
  });
}

const OVERFLOW = `an event of the stream passed ${MAX_BODY_BYTES} bytes; the rest was not read`;

/** Fed the answer's bytes (or, for WebSocket, its messages) as they pass; read once it ends. */
export interface ResponseTap {
  /** performance.now() when the first output-carrying event passed; null until then. */
  readonly firstOutputAt: number | null;
  /** `passedAt`: when the chunk went on to the agent, for a tap fed after it (performance.now() otherwise). */
  write(chunk: Buffer, passedAt?: number): void;
  /** One event (a WebSocket message); the SSE taps call it for each parsed event. */
  event(data: string, type?: string): void;
  /** True once the answer reached its terminal event (completed, incomplete, failed, error). */
  readonly done: boolean;
  /** What the tap kept, to be read by `responseOf` (here or in another thread). */
  raw(): RawResponse;
}

/** The answer as the record needs it. */
export function responseOf(raw: RawResponse): ObservedResponse {
  return raw.kind === 'parsed' ? raw.response : readResponsesTerminal(raw.id, raw.terminal);
}

const looseObject = z.record(z.string(), z.unknown());
const ResponseObjectSchema = z.looseObject({
  id: z.string(),
  model: z.string().nullish(),
  status: z.string().nullish(),
  output: z.array(z.unknown()).nullish(),
  usage: z.unknown(),
  prompt_cache_diagnostics: z.unknown().optional(),
  incomplete_details: z.looseObject({ reason: z.string().nullish() }).nullish(),
  error: z.looseObject({ message: z.string().nullish() }).nullish(),
});
type ResponseObject = z.infer<typeof ResponseObjectSchema>;

const TYPE_PREFIX = /^\s*\{\s*"type"\s*:\s*"([^"]+)"/;
const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed', 'error']);

function countCalls(output: unknown[]): number {
  let calls = 0;
  for (const item of output) {
    const type = (item as { type?: unknown } | null)?.type;
    if (type === 'function_call' || type === 'custom_tool_call' || type === 'local_shell_call') calls += 1;
  }
  return calls;
}

function usageOrNull(raw: unknown, normalise: (raw: unknown) => NormalisedUsage): NormalisedUsage | null {
  if (raw === null || raw === undefined) return null;
  try {
    return normalise(raw);
  } catch {
    return null;
  }
}

/** Responses API events, from SSE or WebSocket: only terminal events are parsed in full. */
class ResponsesTap implements ResponseTap {
  firstOutputAt: number | null = null;
  done = false;
  private id: string | null = null;
  private terminal: string | null = null;
  private overflowed = false;
  private readonly sse = boundedSse(
    (message) => this.onSse(message),
    () => {
      this.overflowed = true;
    },
  );
  private readonly decoder = new StringDecoder('utf8');
  private passedAt: number | null = null;

  write(chunk: Buffer, passedAt?: number): void {
    this.passedAt = passedAt ?? null;
    if (!this.overflowed) this.sse.feed(this.decoder.write(chunk));
    this.passedAt = null;
  }

  private onSse(message: EventSourceMessage): void {
    this.event(message.data, message.event);
  }

  event(data: string, type?: string): void {
    const kind = type ?? TYPE_PREFIX.exec(data)?.[1] ?? '';
    if (this.firstOutputAt === null && (kind === 'response.output_item.added' || kind.endsWith('.delta'))) {
      this.firstOutputAt = this.passedAt ?? performance.now();
    }
    if (kind === 'response.created' && this.id === null) {
      this.id = /"id"\s*:\s*"([^"]+)"/.exec(data)?.[1] ?? null;
      return;
    }
    if (kind !== '' && !TERMINAL.has(kind)) return;
    // Kept as text: parsed once the answer has passed (it holds the whole output).
    this.terminal = data;
    this.done = kind !== '' || TERMINAL.has(typeOf(data));
  }

  raw(): RawResponse {
    if (this.overflowed && this.terminal === null) {
      const read = readResponsesTerminal(this.id, null);
      return { kind: 'parsed', response: { ...read, error: OVERFLOW } };
    }
    return { kind: 'responses', id: this.id, terminal: this.terminal };
  }
}

/** A Responses answer from its terminal event's text (null: the stream ended without one). */
function readResponsesTerminal(id: string | null, terminal: string | null): ObservedResponse {
  let final: ResponseObject | null = null;
  let error: string | null = null;
  if (terminal !== null) {
    try {
      const event = JSON.parse(terminal) as {
        type?: unknown;
        response?: unknown;
        message?: unknown;
        error?: unknown;
      };
      if (event.type === 'error') {
        const nested = event.error as { message?: unknown } | undefined;
        error = String(event.message ?? nested?.message ?? 'provider error event');
      } else if (typeof event.type === 'string' && TERMINAL.has(event.type)) {
        const response = ResponseObjectSchema.safeParse(event.response);
        if (response.success) {
          final = response.data;
          if (event.type === 'response.failed') error = response.data.error?.message ?? 'response failed';
        }
      }
    } catch {
      error = 'the terminal event is not JSON';
    }
  }
  const output = final?.output ?? [];
  return {
    id: final?.id ?? id,
    model: final?.model ?? null,
    usage: final ? usageOrNull(final.usage, normaliseResponsesUsage) : null,
    output,
    toolCalls: countCalls(output),
    diagnostics: final?.prompt_cache_diagnostics ?? null,
    incompleteReason: final?.status === 'incomplete' ? (final.incomplete_details?.reason ?? 'unknown') : null,
    error: error ?? (final ? null : 'the stream ended before response.completed'),
  };
}

function typeOf(data: string): string {
  try {
    const type = (JSON.parse(data) as { type?: unknown }).type;
    return typeof type === 'string' ? type : '';
  } catch {
    return '';
  }
}

const ChatChunkSchema = z.looseObject({
  id: z.string().nullish(),
  model: z.string().nullish(),
  choices: z
    .array(
      z.looseObject({
        delta: z
          .looseObject({
            content: z.string().nullish(),
            reasoning_content: z.string().nullish(),
            tool_calls: z.array(z.looseObject({ index: z.number().nullish() })).nullish(),
          })
          .nullish(),
      }),
    )
    .nullish(),
  usage: z.unknown().optional(),
});

/** Chat Completions chunks: each is small, so each is parsed; tool calls counted by index. */
class ChatStreamTap implements ResponseTap {
  firstOutputAt: number | null = null;
  done = false;
  private id: string | null = null;
  private model: string | null = null;
  private usage: NormalisedUsage | null = null;
  private readonly calls = new Set<number>();
  private overflowed = false;
  private readonly sse = boundedSse(
    (message) => this.event(message.data),
    () => {
      this.overflowed = true;
    },
  );
  private readonly decoder = new StringDecoder('utf8');
  private passedAt: number | null = null;

  write(chunk: Buffer, passedAt?: number): void {
    this.passedAt = passedAt ?? null;
    if (!this.overflowed) this.sse.feed(this.decoder.write(chunk));
    this.passedAt = null;
  }

  event(data: string): void {
    if (data.trim() === '[DONE]') {
      this.done = true;
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(data);
    } catch {
      return;
    }
    const chunk = ChatChunkSchema.safeParse(raw);
    if (!chunk.success) return;
    this.id ??= chunk.data.id ?? null;
    this.model ??= chunk.data.model ?? null;
    for (const choice of chunk.data.choices ?? []) {
      const delta = choice.delta;
      if (!delta) continue;
      if (
        this.firstOutputAt === null &&
        (delta.content || delta.reasoning_content || delta.tool_calls?.length)
      ) {
        this.firstOutputAt = this.passedAt ?? performance.now();
      }
      for (const call of delta.tool_calls ?? []) this.calls.add(call.index ?? 0);
    }
    const usage = usageOrNull(chunk.data.usage, normaliseChatUsage);
    if (usage) this.usage = usage;
  }

  raw(): RawResponse {
    return { kind: 'parsed', response: this.result() };
  }

  private result(): ObservedResponse {
    return {
      id: this.id,
      model: this.model,
      usage: this.usage,
      output: [],
      toolCalls: this.calls.size,
      diagnostics: null,
      incompleteReason: null,
      error: this.overflowed ? OVERFLOW : this.done || this.usage ? null : 'the stream ended before [DONE]',
    };
  }
}

/** A non-streamed answer (a compact response, a JSON completion): kept and parsed at the end. */
class JsonTap implements ResponseTap {
  firstOutputAt: number | null = null;
  done = false;
  private readonly chunks: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly api: ObservedApi) {}

  write(chunk: Buffer, passedAt?: number): void {
    this.firstOutputAt ??= passedAt ?? performance.now();
    this.bytes += chunk.length;
    if (this.bytes <= MAX_BODY_BYTES) this.chunks.push(chunk);
  }

  event(): void {}

  raw(): RawResponse {
    return { kind: 'parsed', response: this.result() };
  }

  private result(): ObservedResponse {
    const empty: ObservedResponse = {
      id: null,
      model: null,
      usage: null,
      output: [],
      toolCalls: 0,
      diagnostics: null,
      incompleteReason: null,
      error: null,
    };
    if (this.bytes > MAX_BODY_BYTES) return { ...empty, error: 'answer too large to read' };
    let body: Record<string, unknown>;
    try {
      body = looseObject.parse(JSON.parse(Buffer.concat(this.chunks).toString('utf8')));
    } catch {
      return { ...empty, error: 'the answer is not a JSON object' };
    }
    if (this.api === 'chat') {
      const choices = Array.isArray(body.choices) ? body.choices : [];
      const calls = choices.flatMap((choice) => {
        const message = (choice as { message?: { tool_calls?: unknown } }).message;
        return Array.isArray(message?.tool_calls) ? message.tool_calls : [];
      });
      return {
        ...empty,
        id: typeof body.id === 'string' ? body.id : null,
        model: typeof body.model === 'string' ? body.model : null,
        usage: usageOrNull(body.usage, normaliseChatUsage),
        toolCalls: calls.length,
      };
    }
    const response = ResponseObjectSchema.safeParse(body);
    if (!response.success) return { ...empty, error: 'the answer is not a response object' };
    const output = response.data.output ?? [];
    return {
      ...empty,
      id: response.data.id,
      model: response.data.model ?? null,
      usage: usageOrNull(response.data.usage, normaliseResponsesUsage),
      output,
      toolCalls: countCalls(output),
      diagnostics: response.data.prompt_cache_diagnostics ?? null,
      incompleteReason:
        response.data.status === 'incomplete'
          ? (response.data.incomplete_details?.reason ?? 'unknown')
          : null,
    };
  }
}

/** The tap for an answer: by API and by whether it streams (its content type). */
export function tapFor(api: ObservedApi, contentType: string | undefined): ResponseTap {
  const streamed = (contentType ?? '').includes('text/event-stream');
  if (!streamed) return new JsonTap(api);
  return api === 'chat' ? new ChatStreamTap() : new ResponsesTap();
}

/** For WebSocket mode: Responses events arrive one per message. */
export function responsesEventTap(): ResponseTap {
  return new ResponsesTap();
}

/**
 * Feeds a tap after the bytes it reads went on to the agent (in a setImmediate, or at `flush`),
 * each chunk with the time it passed: reading the answer stays off the agent's path.
 */
export function deferredFeed(tap: ResponseTap): { write(chunk: Buffer): void; flush(): void } {
  let queue: Array<[Buffer, number]> = [];
  let scheduled: NodeJS.Immediate | null = null;
  const flush = () => {
    if (scheduled) clearImmediate(scheduled);
    scheduled = null;
    const chunks = queue;
    queue = [];
    for (const [chunk, at] of chunks) tap.write(chunk, at);
  };
  return {
    write(chunk) {
      queue.push([chunk, performance.now()]);
      scheduled ??= setImmediate(flush);
    },
    flush,
  };
}
