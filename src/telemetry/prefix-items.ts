import type { OutputItem, PromptItem } from '../model/types.js';
import { WeightedLru } from '../util/lru.js';
import { canonicalJson, hashText, hashValue } from './hash.js';
import { memoTokens, type TokenCounter, type TokenMemo } from './prefix-tokens.js';

/** What the prefix check remembers of one item. */
export interface ItemDigest {
  hash: string;
  /** `message/user`, `function_call/shell`, `reasoning`, ... */
  label: string;
  /** Hash of each top-level field, to say which field of a changed item changed. */
  fields: Readonly<Record<string, string>>;
}

/**
 * Digests memoised by object identity. The history of a conversation is the same array of item
 * objects turn after turn, so only new items are serialised and hashed.
 * Contract: an item is never mutated after it has been sent; a changed item is a new object.
 * (Items built by `outputItemsAsInput` are frozen, so a mutation throws instead of going unseen.)
 */
const digestByObject = new WeakMap<object, ItemDigest>();

/**
 * Digests of input messages memoised by their JSON text too: a run sends the same preamble items
 * (the environment message, a task's text in every epoch) as new objects in every sample, and the
 * proxy and the session-log reader parse every request's history into new objects (an agent's
 * instructions message, often tens of KB, in every request). Equal text means equal content, so
 * the digest is the same; a key order that differs only misses. Items a model produced, and tool
 * outputs, carry ids of their own and never repeat: not kept. Bounded by count and by characters,
 * least recently used let go first: a message seen once (each sample's environment message names its
 * own folder) is soon gone, one resent in every request (an agent's instructions) stays. Bounded by
 * characters alone, every sample's environment message was kept until 4M characters: ~6 MB of live
 * heap over the first ~7,000 samples of a single-turn run (the memory bench's 10,000-sample run grew
 * 29 -> 35 MB).
 */
const MAX_MESSAGES = 256;
const MAX_MESSAGE_CHARS = 4_000_000;
/** Each message weighs its characters, and at least a 256th of the bound: so at most 256 are kept. */
const digestByMessageText = new WeightedLru<string, ItemDigest>(MAX_MESSAGE_CHARS);

function keepMessageDigest(text: string, digest: ItemDigest): void {
  if (text.length > MAX_MESSAGE_CHARS) return;
  digestByMessageText.set(text, digest, Math.max(text.length, MAX_MESSAGE_CHARS / MAX_MESSAGES));
}

/** The JSON text of an input message, the key it is kept by; undefined for other items. */
function messageText(item: object): string | undefined {
  const { type, role } = item as { type?: unknown; role?: unknown };
  if (type !== undefined && type !== 'message') return undefined;
  if (role !== 'user' && role !== 'developer' && role !== 'system') return undefined;
  try {
    return JSON.stringify(item);
  } catch {
    return undefined; // nested deeper than the stack goes (canonicalJson cuts it; see hash.ts)
  }
}

/** Fields with few values, in almost every item: their values' hashes are kept (ids are not). */
const REPEATED_FIELDS = new Set(['type', 'role', 'status', 'name']);
const SHORT_VALUE_CHARS = 64;
const MAX_SHORT_VALUES = 1024;
const shortValueHashes = new Map<string, string>();

function fieldHash(key: string, value: unknown): string {
  if (typeof value !== 'string' || value.length > SHORT_VALUE_CHARS || !REPEATED_FIELDS.has(key))
    return hashValue(value);
  let hash = shortValueHashes.get(value);
  if (hash === undefined) {
    hash = hashValue(value);
    if (shortValueHashes.size >= MAX_SHORT_VALUES) shortValueHashes.clear();
    shortValueHashes.set(value, hash);
  }
  return hash;
}

function computeDigest(item: object): ItemDigest {
  const fields: Record<string, string> = {};
  const keys = Object.keys(item).sort();
  const entries: string[] = [];
  for (const key of keys) {
    const value: unknown = (item as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const hash = fieldHash(key, value);
    fields[key] = hash;
    entries.push(`${JSON.stringify(key)}:${hash}`);
  }
  // Derived from the field hashes (sorted keys), so each new item is serialised once.
  return { hash: hashText(entries.join(',')), label: itemLabel(item), fields };
}

export function digestItem(item: object): ItemDigest {
  let digest = digestByObject.get(item);
  if (digest === undefined) {
    const text = messageText(item);
    digest = text === undefined ? undefined : digestByMessageText.get(text);
    if (digest === undefined) {
      digest = computeDigest(item);
      if (text !== undefined) keepMessageDigest(text, digest);
    }
    digestByObject.set(item, digest);
  }
  return digest;
}

export function itemHash(item: object): string {
  return digestItem(item).hash;
}

export interface ItemFingerprints {
  hashes: string[];
  /** Estimated tokens per item (o200k of the canonical JSON). */
  readonly tokens: number[];
  digests: ItemDigest[];
}

/**
 * Digest of each item (memoised by object identity) and its estimated tokens. The tokens are
 * counted on first read, not here: a turn that extends the previous prompt with known provider
 * counts never needs them (cache-class.ts), so most turns of most samples never tokenise. A count
 * is memoised by the item's hash (in `memo` when given, else in the process-wide memo), so an item
 * is tokenised at most once however often it is resent.
 */
export function fingerprintItems(
  items: readonly object[],
  countTokens: TokenCounter,
  memo?: TokenMemo,
): ItemFingerprints {
  const hashes: string[] = new Array(items.length);
  const digests: ItemDigest[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const digest = digestItem(items[i]!);
    digests[i] = digest;
    hashes[i] = digest.hash;
  }
  return new LazyItemFingerprints(items, hashes, digests, countTokens, memo);
}

/**
 * A class, not an object literal with a getter: V8 builds such a literal on a slow path (~0.5 us
 * each, and several per turn), a class instance in tens of nanoseconds.
 */
class LazyItemFingerprints implements ItemFingerprints {
  private counted: number[] | null = null;

  constructor(
    private readonly items: readonly object[],
    readonly hashes: string[],
    readonly digests: ItemDigest[],
    private readonly countTokens: TokenCounter,
    private readonly memo: TokenMemo | undefined,
  ) {}

  get tokens(): number[] {
    this.counted ??= this.items.map((item, i) => {
      const text = () => canonicalJson(item);
      const hash = this.hashes[i]!;
      return this.memo
        ? this.memo.count(this.countTokens, hash, text)
        : memoTokens(this.countTokens, hash, text);
    });
    return this.counted;
  }
}

/** Short label of an item for details and diffs: `message/user`, `function_call/shell`, `reasoning`. */
export function itemLabel(item: object): string {
  const fields = item as Record<string, unknown>;
  const type = typeof fields.type === 'string' ? fields.type : 'message';
  if (type === 'message' && typeof fields.role === 'string') return `message/${fields.role}`;
  if (typeof fields.name === 'string') return `${type}/${fields.name}`;
  if (typeof fields.call_id === 'string') return `${type}/${fields.call_id}`;
  return type;
}

/** How item `before` became item `after`, in a few words: `content changed`, `was reasoning, now message/user`. */
export function describeItemChange(before: ItemDigest, after: ItemDigest): string {
  if (before.label !== after.label) return `was ${before.label}, now ${after.label}`;
  const keys = [...new Set([...Object.keys(before.fields), ...Object.keys(after.fields)])].sort();
  const changed = keys.filter((key) => before.fields[key] !== after.fields[key]);
  return changed.length > 0 ? `${changed.join(', ')} changed` : 'changed';
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * THE canonical conversion of a response's output items into the input items of the next request.
 * The agent loop builds its history with this function and the prefix check assumes it, so both
 * agree on what "previous prompt + previous output" means.
 *
 * Rule: keep everything the model produced and everything the input type requires (message and
 * reasoning ids, message status, reasoning `encrypted_content`); drop per-response bookkeeping the
 * input type lets us drop: optional `id` / `status`, `created_by`, output-text `logprobs`.
 * Items with no input form (e.g. outputs of server-side tools) are passed through when their
 * shape is also a valid input item, and skipped otherwise.
 * The returned items are new, deep-frozen objects.
 */
export function outputItemsAsInput(output: readonly OutputItem[]): PromptItem[] {
  const items: PromptItem[] = [];
  for (const item of output) {
    const converted = outputItemAsInput(item);
    if (converted) items.push(deepFreeze(converted));
  }
  return items;
}

function outputItemAsInput(item: OutputItem): PromptItem | null {
  switch (item.type) {
    case 'message':
      return {
        type: 'message',
        id: item.id,
        role: item.role,
        status: item.status,
        content: item.content.map((part) =>
          part.type === 'output_text'
            ? { type: 'output_text', text: part.text, annotations: part.annotations }
            : { type: 'refusal', refusal: part.refusal },
        ),
        ...(item.phase != null ? { phase: item.phase } : {}),
      };
    case 'function_call':
      return {
        type: 'function_call',
        call_id: item.call_id,
        name: item.name,
        arguments: item.arguments,
        ...(item.namespace !== undefined ? { namespace: item.namespace } : {}),
      };
    case 'custom_tool_call':
      return {
        type: 'custom_tool_call',
        call_id: item.call_id,
        name: item.name,
        input: item.input,
        ...(item.namespace !== undefined ? { namespace: item.namespace } : {}),
      };
    case 'reasoning':
      return {
        type: 'reasoning',
        id: item.id,
        summary: item.summary,
        ...(item.content !== undefined ? { content: item.content } : {}),
        ...(item.encrypted_content != null ? { encrypted_content: item.encrypted_content } : {}),
      };
    case 'compaction':
      return { type: 'compaction', encrypted_content: item.encrypted_content };
    case 'file_search_call':
    case 'computer_call':
    case 'web_search_call':
    case 'code_interpreter_call':
    case 'image_generation_call':
    case 'local_shell_call':
    case 'mcp_call':
    case 'mcp_list_tools':
    case 'mcp_approval_request':
      return item;
    default:
      return null;
  }
}
