import * as z from 'zod';
import { hashText } from '../../telemetry/index.js';
import { CodexTokenUsageSchema, type TokenCounts, tokenCounts } from '../token-counts.js';
import {
  CompactedSchema,
  ErrorMsgSchema,
  EventMsgSchema,
  LegacyHeaderSchema,
  ResponseItemSchema,
  RolledBackSchema,
  RolloutEnvelopeSchema,
  SessionMetaSchema,
  TaskCompleteSchema,
  ThreadSettingsSchema,
  TokenCountSchema,
  TokenUsageRecordSchema,
  TurnContextSchema,
} from './schema.js';

export type ResponseItem = Readonly<Record<string, unknown>> & { readonly type?: string };

export interface MetaFacts {
  id: string | null;
  timestamp: string | null;
  cliVersion: string | null;
  instructions: string | null;
  provider: string | null;
  cwd: string | null;
  originator: string | null;
  model: string | null;
  source: string | null;
  forkedFrom: string | null;
  /** The history this session starts from is kept in another session's file (Codex's paginated history). */
  historyElsewhere: boolean;
  /**
   * A sub-agent's file (Codex 0.171, `subagent_history_start_ordinal`): lines with a lower ordinal
   * are the history it inherited, copied from its parent's file; null when the file has no copy.
   */
  ownFromOrdinal: number | null;
}

/** One rollout line, reduced to what ingest acts on. */
export type CodexLine =
  | { kind: 'meta'; meta: MetaFacts }
  | {
      kind: 'context';
      model: string | null;
      effort: string | null;
      instructions: string | null;
      cwd: string | null;
    }
  | { kind: 'settings'; model: string | null; effort: string | null }
  | { kind: 'item'; item: ResponseItem }
  | {
      kind: 'usage';
      /**
       * `token_count` event, or `token_usage_record` line (Codex ≥ 0.170: one per model request,
       * with its response id, the compaction_trigger request included, which token_count omits).
       */
      from: 'token_count' | 'record';
      last: TokenCounts | null;
      total: TokenCounts | null;
      responseId: string | null;
      threadId: string | null;
      /** The report as written: a copy of it (a fork's copied history) has the same key. */
      key: string;
    }
  | { kind: 'compacted'; replacement: ResponseItem[] | null }
  | { kind: 'context_compacted' }
  | { kind: 'task_started' }
  | { kind: 'task_complete'; lastMessage: string | null }
  | { kind: 'turn_aborted' }
  | { kind: 'rollback' }
  | { kind: 'error'; message: string }
  | { kind: 'ignored' };

export type ParsedLine =
  | {
      ok: true;
      at: number | null;
      /** The line's `ordinal` (Codex ≥ 0.17x); null when it has none. */
      ordinal: number | null;
      line: CodexLine;
    }
  | { ok: false; error: string };

/** Response item types Codex's history can hold (the protocol's `ResponseItem` variants). */
const ITEM_TYPES = new Set([
  'message',
  'reasoning',
  'function_call',
  'function_call_output',
  'custom_tool_call',
  'custom_tool_call_output',
  'local_shell_call',
  'web_search_call',
  'tool_search_call',
  'tool_search_output',
  'image_generation_call',
  'compaction',
  'compaction_summary',
  'context_compaction',
  'ghost_snapshot',
]);

function issueText(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}` : 'invalid';
}

function timeOf(value: string | null | undefined): number | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

function sourceName(source: unknown): string | null {
  if (typeof source === 'string') return source;
  if (source && typeof source === 'object') return Object.keys(source)[0] ?? null;
  return null;
}

/** An ordinal as Codex writes it: a non-negative integer; anything else is none. */
function ordinalOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

function metaFacts(raw: unknown): { ok: true; meta: MetaFacts } | { ok: false; error: string } {
  const parsed = SessionMetaSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: `session_meta ${issueText(parsed.error)}` };
  const m = parsed.data;
  const base = m.base_instructions;
  return {
    ok: true,
    meta: {
      id: m.id ?? m.session_id ?? null,
      timestamp: m.timestamp ?? null,
      cliVersion: m.cli_version ?? null,
      instructions: (typeof base === 'string' ? base : base?.text) ?? m.instructions ?? null,
      provider: m.model_provider ?? null,
      cwd: m.cwd ?? null,
      originator: m.originator ?? null,
      model: m.model ?? null,
      source: sourceName(m.source),
      forkedFrom: m.forked_from_id ?? null,
      historyElsewhere: m.history_base != null,
      ownFromOrdinal: ordinalOf(m.subagent_history_start_ordinal),
    },
  };
}

type Result = { ok: true; line: CodexLine } | { ok: false; error: string };

function usageLine(
  from: 'token_count' | 'record',
  last: z.infer<typeof CodexTokenUsageSchema> | null | undefined,
  total: z.infer<typeof CodexTokenUsageSchema> | null | undefined,
  extra: { responseId?: string | null; threadId?: string | null } = {},
): Result {
  return {
    ok: true,
    line: {
      kind: 'usage',
      from,
      last: last ? tokenCounts(last) : null,
      total: total ? tokenCounts(total) : null,
      responseId: extra.responseId ?? null,
      threadId: extra.threadId ?? null,
      key: hashText(JSON.stringify([from, last, total, extra.responseId ?? null])),
    },
  };
}

function eventLine(payload: unknown): Result {
  const event = EventMsgSchema.safeParse(payload);
  if (!event.success) return { ok: false, error: `event_msg ${issueText(event.error)}` };
  switch (event.data.type) {
    case 'token_count': {
      const parsed = TokenCountSchema.safeParse(payload);
      if (!parsed.success) return { ok: false, error: `token_count ${issueText(parsed.error)}` };
      if (parsed.data.info)
        return usageLine(
          'token_count',
          parsed.data.info.last_token_usage,
          parsed.data.info.total_token_usage,
        );
      // The oldest shape: the request's usage at the top level, no running total.
      if (parsed.data.input_tokens != null) {
        const flat = CodexTokenUsageSchema.safeParse(payload);
        if (!flat.success) return { ok: false, error: `token_count ${issueText(flat.error)}` };
        return usageLine('token_count', flat.data, null);
      }
      return { ok: true, line: { kind: 'ignored' } }; // info: null carries rate limits only
    }
    case 'task_started':
    case 'turn_started':
      return { ok: true, line: { kind: 'task_started' } };
    case 'task_complete':
    case 'turn_complete': {
      const parsed = TaskCompleteSchema.safeParse(payload);
      return {
        ok: true,
        line: { kind: 'task_complete', lastMessage: parsed.data?.last_agent_message ?? null },
      };
    }
    case 'turn_aborted':
      return { ok: true, line: { kind: 'turn_aborted' } };
    case 'context_compacted':
      return { ok: true, line: { kind: 'context_compacted' } };
    case 'thread_rolled_back': {
      const parsed = RolledBackSchema.safeParse(payload);
      if (!parsed.success) return { ok: false, error: `thread_rolled_back ${issueText(parsed.error)}` };
      return { ok: true, line: { kind: 'rollback' } };
    }
    case 'error': {
      const parsed = ErrorMsgSchema.safeParse(payload);
      return { ok: true, line: { kind: 'error', message: parsed.data?.message ?? 'error' } };
    }
    case 'thread_settings_applied': {
      const parsed = ThreadSettingsSchema.safeParse(payload);
      const s = parsed.data?.thread_settings;
      return {
        ok: true,
        line: { kind: 'settings', model: s?.model ?? null, effort: s?.reasoning_effort ?? null },
      };
    }
    default:
      return { ok: true, line: { kind: 'ignored' } };
  }
}

function envelopeLine(type: string, payload: unknown): Result {
  switch (type) {
    case 'session_meta': {
      const facts = metaFacts(payload);
      return facts.ok ? { ok: true, line: { kind: 'meta', meta: facts.meta } } : facts;
    }
    case 'turn_context': {
      const parsed = TurnContextSchema.safeParse(payload);
      if (!parsed.success) return { ok: false, error: `turn_context ${issueText(parsed.error)}` };
      const c = parsed.data;
      const settings = c.collaboration_mode?.settings;
      return {
        ok: true,
        line: {
          kind: 'context',
          model: c.model ?? settings?.model ?? null,
          effort: c.effort ?? settings?.reasoning_effort ?? null,
          instructions:
            [c.user_instructions, c.developer_instructions ?? settings?.developer_instructions]
              .filter((t): t is string => typeof t === 'string')
              .join('\n') || null,
          cwd: c.cwd ?? null,
        },
      };
    }
    case 'response_item': {
      const parsed = ResponseItemSchema.safeParse(payload);
      if (!parsed.success) return { ok: false, error: `response_item ${issueText(parsed.error)}` };
      return { ok: true, line: { kind: 'item', item: parsed.data } };
    }
    case 'compacted': {
      const parsed = CompactedSchema.safeParse(payload);
      if (!parsed.success) return { ok: false, error: `compacted ${issueText(parsed.error)}` };
      return { ok: true, line: { kind: 'compacted', replacement: parsed.data.replacement_history ?? null } };
    }
    case 'token_usage_record': {
      const parsed = TokenUsageRecordSchema.safeParse(payload);
      if (!parsed.success) return { ok: false, error: `token_usage_record ${issueText(parsed.error)}` };
      const r = parsed.data;
      return usageLine('record', r.usage, r.thread_token_usage, {
        responseId: r.response_id ?? null,
        threadId: r.thread_id ?? r.session_id ?? null,
      });
    }
    case 'event_msg':
      return eventLine(payload);
    default:
      return { ok: true, line: { kind: 'ignored' } }; // world_state and newer line types
  }
}

/** The oldest rollouts: a bare header, `{record_type: "state"}` markers and bare response items. */
function legacyLine(raw: Record<string, unknown>): Result {
  if ('record_type' in raw) return { ok: true, line: { kind: 'ignored' } };
  if (typeof raw.type === 'string' && ITEM_TYPES.has(raw.type)) {
    return { ok: true, line: { kind: 'item', item: raw } };
  }
  if (raw.type === undefined) {
    const header = LegacyHeaderSchema.safeParse(raw);
    if (header.success) {
      const facts = metaFacts(header.data);
      return facts.ok ? { ok: true, line: { kind: 'meta', meta: facts.meta } } : facts;
    }
  }
  return { ok: true, line: { kind: 'ignored' } };
}

/** Reads one JSON value of a rollout. A value that is no rollout line at all is an error. */
export function parseCodexLine(raw: unknown): ParsedLine {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, error: 'not a JSON object' };
  }
  const record = raw as Record<string, unknown>;
  if ('payload' in record) {
    const envelope = RolloutEnvelopeSchema.safeParse(record);
    if (!envelope.success) return { ok: false, error: issueText(envelope.error) };
    const result = envelopeLine(envelope.data.type, envelope.data.payload);
    if (!result.ok) return result;
    const at = timeOf(envelope.data.timestamp);
    return { ok: true, at, ordinal: ordinalOf(envelope.data.ordinal), line: result.line };
  }
  const result = legacyLine(record);
  const at = typeof record.timestamp === 'string' ? timeOf(record.timestamp) : null;
  return result.ok ? { ok: true, at, ordinal: null, line: result.line } : result;
}

/** Response item types that hold what the model produced (the rest is input: messages, tool outputs). */
const OUTPUT_TYPES = new Set([
  'reasoning',
  'function_call',
  'custom_tool_call',
  'local_shell_call',
  'web_search_call',
  'tool_search_call',
  'image_generation_call',
  'compaction',
  'compaction_summary',
  'context_compaction',
  'file_search_call',
  'computer_call',
  'code_interpreter_call',
  'mcp_call',
]);

const TOOL_CALL_TYPES = new Set(['function_call', 'custom_tool_call', 'local_shell_call']);

export function isOutputItem(item: ResponseItem): boolean {
  const type = item.type ?? 'message';
  if (type === 'message') return item.role === 'assistant';
  return OUTPUT_TYPES.has(type);
}

export function isToolCall(item: ResponseItem): boolean {
  return TOOL_CALL_TYPES.has(item.type ?? '');
}

export function isCompactionItem(item: ResponseItem): boolean {
  const type = item.type ?? '';
  return type === 'compaction' || type === 'compaction_summary' || type === 'context_compaction';
}

const OutputTextSchema = z.looseObject({ type: z.literal('output_text'), text: z.string() });

/** The text of an assistant message (its `output_text` parts); null for any other item. */
export function assistantText(item: ResponseItem): string | null {
  if ((item.type ?? 'message') !== 'message' || item.role !== 'assistant' || !Array.isArray(item.content))
    return null;
  const parts = item.content.flatMap((part: unknown) => {
    const parsed = OutputTextSchema.safeParse(part);
    return parsed.success ? [parsed.data.text] : [];
  });
  return parts.length > 0 ? parts.join('') : null;
}

/** Items Codex keeps in its history but never sends (`ghost_snapshot`: its own undo snapshots). */
export function isSentItem(item: ResponseItem): boolean {
  return item.type !== 'ghost_snapshot';
}
