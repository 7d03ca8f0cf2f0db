import semver from 'semver';
import * as z from 'zod';
import type { ResponseItem } from './parse-line.js';

/**
 * Where Codex puts its base instructions (the `session_meta.base_instructions` of its log) in a
 * request, as measured by running each release against a relay that kept the request bodies:
 * up to 0.161.0 (and 0.162.0-alpha.15) they are the request's `instructions` field; from 0.162.0 on
 * Codex sends no `instructions` and they are the first `developer` message of `input`, in front of
 * the history, on every request of the session (the same item after a resume, an effort change or a
 * compaction). Models whose context keeps the base instructions in the history itself (a
 * `developer` message the log records, marked `model.base_instructions`; Codex 0.171 compacts into
 * such a history when switching to one) get no such item: the history already holds them.
 */
const FIRST_RELEASE_SENDING_AN_ITEM = '0.162.0';

/**
 * Does this Codex version send its base instructions as the first input item? Versions compare as
 * semver: a prerelease comes before its release (0.162.0-alpha.15 still sent `instructions`). A
 * version that is not semver (none logged, or a build from source) is taken for an older one.
 */
export function sendsBaseInstructionsAsItem(cliVersion: string | null): boolean {
  const version = cliVersion ? semver.valid(cliVersion.trim()) : null;
  return version !== null && semver.gte(version, FIRST_RELEASE_SENDING_AN_ITEM);
}

/**
 * The item Codex sends in front of the history, rebuilt from the log: a `developer` message with
 * the base instructions the session logged. Codex renders them for the session before sending (it
 * drops the sections on tools the session lacks, e.g. `update_plan` in `codex exec`) and gives the
 * item an id of its own; neither is in the log, so the text is the logged one and there is no id
 * (which no provider renders anyway).
 */
export function baseInstructionsItem(text: string): ResponseItem {
  return { type: 'message', role: 'developer', content: [{ type: 'input_text', text }] };
}

const MetadataSchema = z.looseObject({ content_item_kinds: z.array(z.unknown()).nullish() });
const TextPartSchema = z.looseObject({ text: z.string() });

function textOf(content: unknown): string | null {
  if (!Array.isArray(content)) return null;
  let text = '';
  for (const part of content) {
    const parsed = TextPartSchema.safeParse(part);
    if (!parsed.success) return null;
    text += parsed.data.text;
  }
  return text;
}

/**
 * Is this history item the base instructions themselves? Current Codex marks what each context item
 * holds (`content_item_kinds`); without the mark, a `developer` message whose text is the logged base
 * instructions is taken for them.
 */
export function isBaseInstructionsItem(item: ResponseItem, baseText: string | null): boolean {
  // Asked of every history item: most carry no metadata, and a failed parse builds an error.
  const passthrough = item.internal_chat_message_metadata_passthrough;
  if (passthrough !== undefined && passthrough !== null) {
    const metadata = MetadataSchema.safeParse(passthrough);
    if (metadata.success && metadata.data.content_item_kinds?.includes('model.base_instructions'))
      return true;
  }
  if (baseText === null || (item.type ?? 'message') !== 'message' || item.role !== 'developer') return false;
  return textOf(item.content) === baseText;
}
