import type { Readable } from 'node:stream';
import { overlong, parseJsonLine, readLines } from '../../config/read-lines.js';
import type {
  ModelRequest,
  OutputItem,
  PromptItem,
  ReasoningEffort,
  ToolDefinition,
} from '../../model/index.js';
import {
  countO200kTokens,
  fingerprintItems,
  fingerprintPrompt,
  outputItemsAsInput,
  type TokenCounter,
} from '../../telemetry/index.js';
import type { IngestEvent, PromptEvidence } from '../types.js';
import { type PlainLine, PlainLineSchema, type PlainRequestLine } from './schema.js';

interface PlainSession {
  id: string;
  tasks: Map<string, number>;
  afterCompaction: boolean;
  lastAt: number;
}

const DEFAULT_AGENT = 'jsonl';

function promptEvidence(line: PlainRequestLine, countTokens: TokenCounter): PromptEvidence | null {
  const req = line.request;
  if (!req) return null;
  // Validated as loose objects; the wire shapes are the Responses API's, which the checks assume.
  const input = req.input as unknown as PromptItem[];
  const tools = req.tools as unknown as ToolDefinition[];
  const output = (line.output ?? []) as unknown as OutputItem[];
  const outputAsInput = outputItemsAsInput(output);
  const request: ModelRequest = {
    model: line.model,
    instructions: req.instructions,
    tools,
    input,
    store: false,
    parallelToolCalls: req.parallel_tool_calls ?? false,
    ...(line.reasoning_effort ? { reasoningEffort: line.reasoning_effort as ReasoningEffort } : {}),
    ...(req.prompt_cache_key ? { promptCacheKey: req.prompt_cache_key } : {}),
  };
  return {
    fingerprint: fingerprintPrompt(
      {
        model: line.model,
        instructions: req.instructions,
        tools,
        settings: {
          reasoningEffort: line.reasoning_effort ?? null,
          parallelToolCalls: request.parallelToolCalls,
        },
        promptCacheKey: req.prompt_cache_key ?? null,
      },
      fingerprintItems(input, countTokens),
      countTokens,
    ),
    output: fingerprintItems(outputAsInput, countTokens),
    toolsKnown: true,
    full: { request, output },
  };
}

function toolCallsOf(line: PlainRequestLine): number {
  if (line.tool_calls != null) return line.tool_calls;
  return (line.output ?? []).filter((o) => o.type === 'function_call' || o.type === 'custom_tool_call')
    .length;
}

/**
 * Reads a file of the plain format (docs/ingest.md) as ingest events. Sessions may interleave;
 * each ends with the file.
 */
export async function* readPlainLog(
  source: string | Readable,
  options: { file?: string; countTokens?: TokenCounter } = {},
): AsyncGenerator<IngestEvent> {
  const file = typeof source === 'string' ? source : (options.file ?? 'stream');
  const countTokens = options.countTokens ?? countO200kTokens;
  const sessions = new Map<string, PlainSession>();

  for await (const { line, text, overlongBytes } of readLines(source)) {
    const ref = `${file}:${line}`;
    if (overlongBytes !== undefined) {
      yield {
        type: 'warning',
        message: `${ref}: ${overlong(overlongBytes)}; line skipped`,
        unreadableLine: true,
      };
      continue;
    }
    const raw = parseJsonLine(text);
    if (raw === null) {
      yield { type: 'warning', message: `${ref}: not valid JSON; line skipped`, unreadableLine: true };
      continue;
    }
    const parsed = PlainLineSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.map(String).join('.') || '(root)';
      yield {
        type: 'warning',
        message: `${ref}: field ${field}: ${issue?.message ?? 'invalid'}; line skipped`,
      };
      continue;
    }
    const record: PlainLine = parsed.data;
    const at = Date.parse(record.timestamp);
    let session = sessions.get(record.session);
    if (!session) {
      session = { id: record.session, tasks: new Map(), afterCompaction: false, lastAt: at };
      sessions.set(record.session, session);
      yield {
        type: 'session',
        session: {
          id: record.session,
          file,
          agent: record.agent ?? DEFAULT_AGENT,
          agentVersion: null,
          provider: record.type === 'request' ? (record.provider ?? null) : null,
          cwd: null,
          startedAt: at,
          tags: [record.agent ?? DEFAULT_AGENT],
        },
      };
    }
    const taskName = record.task ?? '';
    let taskIndex = session.tasks.get(taskName);
    if (taskIndex === undefined) {
      taskIndex = session.tasks.size + 1;
      session.tasks.set(taskName, taskIndex);
    }
    if (record.type === 'compaction') {
      session.afterCompaction = true;
      session.lastAt = Math.max(session.lastAt, at);
      yield {
        type: 'compaction',
        compaction: {
          sessionId: session.id,
          taskIndex,
          at,
          method: record.method,
          tokensBefore: record.tokens_before ?? null,
          tokensAfter: record.tokens_after ?? null,
          itemsBefore: null,
          itemsAfter: null,
          usage: null,
          model: null,
          source: ref,
        },
      };
      continue;
    }
    const prompt = promptEvidence(record, countTokens);
    const afterCompaction = record.kind === 'agent' && session.afterCompaction;
    if (record.kind === 'agent') session.afterCompaction = false;
    const endedAt = at + (record.latency_ms ?? 0);
    session.lastAt = Math.max(session.lastAt, endedAt);
    const u = record.usage;
    yield {
      type: 'request',
      request: {
        sessionId: session.id,
        taskIndex,
        kind: record.kind,
        model: record.model,
        effort: record.reasoning_effort ?? null,
        settings: { reasoning_effort: record.reasoning_effort ?? null },
        startedAt: at,
        endedAt,
        latencyMs: record.latency_ms ?? null,
        ttftMs: record.ttft_ms ?? null,
        bytesSent: record.bytes_sent ?? null,
        usage: {
          inputTokens: u.input_tokens,
          cachedTokens: u.cached_tokens ?? null,
          cacheWriteTokens: u.cache_write_tokens ?? null,
          cacheWrite12hTokens: u.cache_write_12h_tokens ?? null,
          outputTokens: u.output_tokens,
          reasoningTokens: u.reasoning_tokens ?? null,
        },
        responseId: record.response_id ?? null,
        toolCalls: toolCallsOf(record),
        itemCount: prompt ? prompt.fingerprint.itemHashes.length : null,
        prompt,
        afterCompaction,
        source: ref,
      },
    };
  }
  for (const session of sessions.values()) {
    yield { type: 'session_end', sessionId: session.id, at: session.lastAt };
  }
}
