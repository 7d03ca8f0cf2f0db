import * as z from 'zod';
import { CodexTokenUsageSchema } from '../token-counts.js';

/**
 * The parts of Codex's rollout format (`RolloutLine`: `{timestamp, type, payload}`) that ingest
 * reads. Every object is loose (newer versions add fields) and every field that some version lacks
 * is optional. Kept close to the protocol's own names (codex-rs/protocol).
 */

const text = z.string();
const optionalText = z.string().nullish();

/** The line envelope of Codex ≥ 0.3x; older lines have no `type`/`payload` wrapper. */
export const RolloutEnvelopeSchema = z.looseObject({
  timestamp: optionalText,
  /** Codex ≥ 0.17x: the line's position in its thread's history (a sub-agent's copy of its parent's lines included). */
  ordinal: z.unknown().optional(),
  type: text,
  payload: z.unknown(),
});

/** `SessionMeta` (+ git); `base_instructions` replaced the plain `instructions` string. */
export const SessionMetaSchema = z.looseObject({
  id: optionalText,
  session_id: optionalText,
  timestamp: optionalText,
  cwd: optionalText,
  originator: optionalText,
  cli_version: optionalText,
  instructions: optionalText,
  base_instructions: z.union([z.looseObject({ text: optionalText }), z.string()]).nullish(),
  model_provider: optionalText,
  model: optionalText,
  forked_from_id: optionalText,
  source: z.unknown().optional(),
  /** Codex ≥ 0.17x (paginated history): the history before this file is in another thread's file. */
  history_base: z.unknown().optional(),
  /**
   * A sub-agent started from its parent's history (Codex 0.171 `spawn_agent` with `fork_context`):
   * the lines before this ordinal are a copy of the parent's, in this file; its own start here.
   */
  subagent_history_start_ordinal: z.unknown().optional(),
});
export type SessionMeta = z.infer<typeof SessionMetaSchema>;

/** The header line of the oldest rollouts (mid 2025): no envelope, no type. */
export const LegacyHeaderSchema = z.looseObject({
  id: text,
  timestamp: text,
  instructions: optionalText,
  model: optionalText,
  cwd: optionalText,
});

/** `TurnContextItem`: one per user turn (and after a compaction). */
export const TurnContextSchema = z.looseObject({
  model: optionalText,
  effort: optionalText,
  summary: z.unknown().optional(),
  cwd: optionalText,
  user_instructions: optionalText,
  developer_instructions: optionalText,
  collaboration_mode: z
    .looseObject({
      settings: z
        .looseObject({
          model: optionalText,
          reasoning_effort: optionalText,
          developer_instructions: optionalText,
        })
        .nullish(),
    })
    .nullish(),
});
export type TurnContext = z.infer<typeof TurnContextSchema>;

/** A `ResponseItem`: only its `type` is needed to place it; the rest is kept as it is. */
export const ResponseItemSchema = z.looseObject({ type: z.string().optional() });

/** `CompactedItem`: `replacement_history` came later; without it the new history is unknown. */
export const CompactedSchema = z.looseObject({
  message: optionalText,
  replacement_history: z.array(ResponseItemSchema).nullish(),
});

export const TokenUsageInfoSchema = z.looseObject({
  total_token_usage: CodexTokenUsageSchema.nullish(),
  last_token_usage: CodexTokenUsageSchema.nullish(),
  model_context_window: z.number().nullish(),
});

/** `EventMsg`: internally tagged by `type`; the variants ingest reads. */
export const EventMsgSchema = z.looseObject({ type: text });

/** `token_count`: `info` (may be null) in current versions; the oldest put the usage at the top. */
export const TokenCountSchema = z.looseObject({
  info: TokenUsageInfoSchema.nullish(),
  input_tokens: z.number().int().min(0).nullish(),
});

/** Codex ≥ 0.16x: one usage record per response, with its id and the thread's running total. */
export const TokenUsageRecordSchema = z.looseObject({
  thread_id: optionalText,
  session_id: optionalText,
  response_id: optionalText,
  usage: CodexTokenUsageSchema,
  thread_token_usage: CodexTokenUsageSchema.nullish(),
});

export const TaskCompleteSchema = z.looseObject({ last_agent_message: optionalText });
export const RolledBackSchema = z.looseObject({ num_turns: z.number().int().min(0).nullish() });
export const ErrorMsgSchema = z.looseObject({ message: optionalText });
export const ThreadSettingsSchema = z.looseObject({
  thread_settings: z.looseObject({ model: optionalText, reasoning_effort: optionalText }).nullish(),
});
