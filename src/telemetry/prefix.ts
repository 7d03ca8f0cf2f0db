import type { ModelRequest } from '../model/types.js';
import { canonicalJson, hashText, hashValue } from './hash.js';
import {
  describeItemChange,
  fingerprintItems,
  type ItemDigest,
  type ItemFingerprints,
  itemHash,
} from './prefix-items.js';
import { memoTokens, type TokenCounter } from './prefix-tokens.js';
import type { PrefixCheck } from './records.js';

/** Request settings besides model, tools, instructions and input that a provider's cache depends on. */
export interface CacheSettings {
  reasoningEffort: string | null;
  parallelToolCalls: boolean;
}

/** What we remember of one request: cheap to keep, enough to check the next one against it. */
export interface PromptFingerprint {
  model: string;
  instructionsHash: string;
  toolsHash: string;
  toolNames: string[];
  toolHashes: string[];
  /** Estimated tokens per tool (o200k count of its canonical JSON); counted on first read. */
  readonly toolTokens: number[];
  /** One per input item. */
  itemHashes: string[];
  /** Estimated tokens per item (o200k count of the item's canonical JSON); counted on first read. */
  readonly itemTokens: number[];
  /** Label and field hashes per item, for the detail of a break (shared, memoised objects). */
  itemDigests: ItemDigest[];
  /** Hash of `settings`. */
  settingsHash: string;
  settings: CacheSettings;
  promptCacheKey: string | null;
  /** Estimated tokens of tools + instructions, the part of the prompt before the items; counted on first read. */
  readonly prefixTokens: number;
}

/** Where a prompt can break before its items. */
export type HeadBreak = Extract<NonNullable<PrefixCheck['diverged_at']>, string>;

/**
 * Estimated tokens of the previous prompt's head that the next prompt still starts with, after a
 * break before the items at `at`. A provider renders the tools first, then the instructions, then
 * the items (as the sim does), and caches the longest exact prefix: so a change of tools keeps the
 * tools before the first one that differs (a tool appended at the end keeps them all), a change of
 * instructions keeps every tool, and a change of model, cache key or settings (which select the
 * cache or are rendered first) keeps nothing.
 */
export function sharedHeadTokens(prev: PromptFingerprint, next: PromptFingerprint, at: HeadBreak): number {
  if (at === 'model' || at === 'settings') return 0;
  let shared = 0;
  for (let i = 0; i < prev.toolHashes.length; i++) {
    if (at === 'tools' && prev.toolHashes[i] !== next.toolHashes[i]) break;
    shared += prev.toolTokens[i]!;
  }
  return shared;
}

/** The previous request of the sample, with its response's output items as they are resent. */
export interface PreviousPrompt {
  fingerprint: PromptFingerprint;
  outputItemHashes: string[];
  readonly outputItemTokens: number[];
  /** Optional: lets the detail of a break inside the output items name the item and field. */
  outputItemDigests?: ItemDigest[];
}

/**
 * Settings are kept when they change what the model is shown (reasoning effort and the
 * parallel-tool-calls switch are rendered into the system part of the prompt). Left out on purpose:
 * store, retention, max_output_tokens, compact_threshold, previous/comparison response ids: they
 * change lifetime, limits or bookkeeping, not the cached prefix. prompt_cache_key has its own reason.
 */
function cacheSettings(req: ModelRequest): CacheSettings {
  return { reasoningEffort: req.reasoningEffort ?? null, parallelToolCalls: req.parallelToolCalls };
}

export function fingerprintRequest(req: ModelRequest, countTokens: TokenCounter): PromptFingerprint {
  return fingerprintPrompt(
    {
      model: req.model,
      instructions: req.instructions,
      tools: req.tools,
      settings: cacheSettings(req),
      promptCacheKey: req.promptCacheKey ?? null,
    },
    fingerprintItems(req.input, countTokens),
    countTokens,
  );
}

/** Everything of a prompt before its input items. */
export interface PromptHead {
  model: string;
  instructions: string;
  tools: readonly { name: string }[];
  settings: CacheSettings;
  promptCacheKey: string | null;
}

/**
 * The fingerprint of a prompt whose items are already fingerprinted: a reader that keeps only
 * item digests (not the items) of a long history builds the same fingerprint as `fingerprintRequest`.
 */
export function fingerprintPrompt(
  head: PromptHead,
  items: ItemFingerprints,
  countTokens: TokenCounter,
): PromptFingerprint {
  return new LazyPromptFingerprint(head, items, countTokens);
}

/** A class for the lazy token figures (an object literal with getters is slow to build; see prefix-items.ts). */
class LazyPromptFingerprint implements PromptFingerprint {
  readonly model: string;
  readonly instructionsHash: string;
  readonly toolsHash: string;
  readonly toolNames: string[];
  readonly toolHashes: string[];
  readonly itemHashes: string[];
  readonly itemDigests: ItemDigest[];
  readonly settingsHash: string;
  readonly settings: CacheSettings;
  readonly promptCacheKey: string | null;
  private toolCounts: number[] | null = null;
  private headCount: number | null = null;

  constructor(
    private readonly head: PromptHead,
    private readonly items: ItemFingerprints,
    private readonly countTokens: TokenCounter,
  ) {
    this.model = head.model;
    this.toolHashes = head.tools.map((tool) => itemHash(tool));
    this.instructionsHash = hashTextMemo(head.instructions);
    this.toolsHash = hashTextMemo(this.toolHashes.join(','));
    this.toolNames = head.tools.map((tool) => tool.name);
    this.itemHashes = items.hashes;
    this.itemDigests = items.digests;
    this.settingsHash = settingsHash(head.settings);
    this.settings = head.settings;
    this.promptCacheKey = head.promptCacheKey;
  }

  get toolTokens(): number[] {
    this.toolCounts ??= this.head.tools.map((tool, i) =>
      memoTokens(this.countTokens, this.toolHashes[i]!, () => canonicalJson(tool)),
    );
    return this.toolCounts;
  }

  get itemTokens(): number[] {
    return this.items.tokens;
  }

  // Like the items' tokens: counted only when a figure needs them.
  get prefixTokens(): number {
    this.headCount ??=
      memoTokens(this.countTokens, `i:${this.instructionsHash}`, () => this.head.instructions) +
      sum(this.toolTokens);
    return this.headCount;
  }
}

/**
 * The instructions are the same text on every turn of every sample of a variant (unless they
 * render `{{now}}` or `{{turn}}`), and can be long, and the tools (their hashes joined) are the same
 * list on most turns: their hash is kept for the last few texts.
 */
const recentTextHashes = new Map<string, string>();
const RECENT_TEXTS = 32;

function hashTextMemo(text: string): string {
  let hash = recentTextHashes.get(text);
  if (hash === undefined) {
    hash = hashText(text);
    if (recentTextHashes.size >= RECENT_TEXTS) recentTextHashes.delete(recentTextHashes.keys().next().value!);
    recentTextHashes.set(text, hash);
  }
  return hash;
}

const settingsHashes = new Map<string, string>();

/** The hash of the cache settings, which take few values: memoised by their (fixed-order) values. */
function settingsHash(settings: CacheSettings): string {
  const key = `${settings.reasoningEffort}|${settings.parallelToolCalls}`;
  let hash = settingsHashes.get(key);
  if (hash === undefined) {
    hash = hashValue(settings);
    settingsHashes.set(key, hash);
  }
  return hash;
}

const FIRST_TURN: PrefixCheck = {
  extends_previous: null,
  diverged_at: null,
  reason: null,
  lost_tokens: null,
  detail: null,
};

function sum(values: readonly number[], from = 0, to = values.length): number {
  let total = 0;
  for (let i = from; i < to; i++) total += values[i]!;
  return total;
}

type HeadChange = {
  at: HeadBreak;
  reason: NonNullable<PrefixCheck['reason']>;
  detail: string;
};

function describeToolChange(prev: PromptFingerprint, next: PromptFingerprint): HeadChange | null {
  if (prev.toolsHash === next.toolsHash) return null;
  const sameSet =
    prev.toolHashes.length === next.toolHashes.length &&
    [...prev.toolHashes].sort().join(',') === [...next.toolHashes].sort().join(',');
  if (sameSet) {
    const moved = next.toolHashes.flatMap((hash, to) => {
      const from = prev.toolHashes.indexOf(hash);
      return from === to ? [] : [`${next.toolNames[to]} ${from}→${to}`];
    });
    return {
      at: 'tools',
      reason: 'tools_reordered',
      detail: `tools reordered: ${moved.join(', ')} (was [${prev.toolNames.join(', ')}], now [${next.toolNames.join(', ')}])`,
    };
  }
  const parts: string[] = [];
  const added = next.toolNames.filter((name) => !prev.toolNames.includes(name));
  const removed = prev.toolNames.filter((name) => !next.toolNames.includes(name));
  const changed = next.toolNames.filter((name, i) => {
    const j = prev.toolNames.indexOf(name);
    return j >= 0 && prev.toolHashes[j] !== next.toolHashes[i];
  });
  if (added.length > 0) parts.push(`added ${added.join(', ')}`);
  if (removed.length > 0) parts.push(`removed ${removed.join(', ')}`);
  if (changed.length > 0) parts.push(`definition changed: ${changed.join(', ')}`);
  const kept = next.toolNames.filter((name) => prev.toolNames.includes(name));
  const keptBefore = prev.toolNames.filter((name) => next.toolNames.includes(name));
  if (kept.join(',') !== keptBefore.join(',')) parts.push(`order changed to [${next.toolNames.join(', ')}]`);
  return {
    at: 'tools',
    reason: 'tools_changed',
    detail: `tools changed: ${parts.join('; ') || 'duplicate tool'}`,
  };
}

function settingsDiff(prev: CacheSettings, next: CacheSettings): string {
  const keys = Object.keys(next) as (keyof CacheSettings)[];
  return keys
    .filter((key) => prev[key] !== next[key])
    .map((key) => `${key} ${String(prev[key])} → ${String(next[key])}`)
    .join(', ');
}

/**
 * Changes before the first input item, in the order they matter to a provider cache: the model and
 * the cache key select the cache, settings and tools and instructions head the prompt.
 * All are listed in the detail; the first one names the reason.
 */
function headChanges(prev: PromptFingerprint, next: PromptFingerprint): HeadChange[] {
  const changes: HeadChange[] = [];
  if (prev.model !== next.model) {
    changes.push({ at: 'model', reason: 'model_changed', detail: `model ${prev.model} → ${next.model}` });
  }
  if (prev.promptCacheKey !== next.promptCacheKey) {
    changes.push({
      at: 'settings',
      reason: 'prompt_cache_key_changed',
      detail: `prompt_cache_key ${prev.promptCacheKey ?? '(none)'} → ${next.promptCacheKey ?? '(none)'}`,
    });
  }
  if (prev.settingsHash !== next.settingsHash) {
    changes.push({
      at: 'settings',
      reason: 'settings_changed',
      detail: `settings changed: ${settingsDiff(prev.settings, next.settings)}`,
    });
  }
  const tools = describeToolChange(prev, next);
  if (tools) changes.push(tools);
  if (prev.instructionsHash !== next.instructionsHash) {
    changes.push({ at: 'instructions', reason: 'instructions_changed', detail: 'instructions changed' });
  }
  return changes;
}

/**
 * Compare the new request with the previous request followed by that request's output items
 * (appended in order, as `outputItemsAsInput` makes them).
 *
 * `lost_tokens` counts, in estimated tokens, the part of previous prompt + output from the break
 * to its end: what could have been read from cache and is now paid again. A break before the items
 * loses all of it but the head it kept (sharedHeadTokens: the tools before a changed one, or all
 * tools when only the instructions changed).
 * With `compactedSincePrevious`, a break inside the items is attributed to the compaction
 * (`compacted`); a break before the items keeps its own reason, as compaction never changes those.
 */
export function checkPrefix(
  prev: PreviousPrompt | null,
  next: PromptFingerprint,
  hints?: { compactedSincePrevious?: boolean },
): PrefixCheck {
  if (!prev) return { ...FIRST_TURN };
  const before = prev.fingerprint;
  const sharedHashes = before.itemHashes.concat(prev.outputItemHashes);
  // Token figures are read only on a break: an extension needs none (and so counts none).
  const sharedTokens = () => before.itemTokens.concat(prev.outputItemTokens);

  const head = headChanges(before, next);
  if (head.length > 0) {
    const [first] = head;
    return {
      extends_previous: false,
      diverged_at: first!.at,
      reason: first!.reason,
      lost_tokens: before.prefixTokens + sum(sharedTokens()) - sharedHeadTokens(before, next, first!.at),
      detail: head.map((change) => change.detail).join('; '),
    };
  }

  const common = Math.min(sharedHashes.length, next.itemHashes.length);
  let at = 0;
  while (at < common && sharedHashes[at] === next.itemHashes[at]) at++;
  if (at === sharedHashes.length) {
    return { extends_previous: true, diverged_at: null, reason: null, lost_tokens: 0, detail: null };
  }

  const lost = sum(sharedTokens(), at);
  const fromOutput = at >= before.itemHashes.length ? ' (previous output item)' : '';
  let reason: NonNullable<PrefixCheck['reason']>;
  let detail: string;
  if (at === next.itemHashes.length) {
    reason = 'items_removed';
    const dropped = sharedHashes.length - at;
    detail = `prompt ends after item ${at - 1}; ${dropped} item(s) of previous prompt + output from item ${at}${fromOutput} are gone`;
  } else {
    reason = 'item_changed';
    const was = before.itemDigests.concat(prev.outputItemDigests ?? [])[at];
    const now = next.itemDigests[at]!;
    const how = was ? describeItemChange(was, now) : 'changed';
    detail = `item ${at} (${was?.label ?? now.label})${fromOutput}: ${how}`;
  }
  if (hints?.compactedSincePrevious) {
    reason = 'compacted';
    detail = `history compacted; ${detail}`;
  }
  return { extends_previous: false, diverged_at: at, reason, lost_tokens: lost, detail };
}

/** Hash and token figures of a response's output items, for `PreviousPrompt`. */
export function fingerprintOutput(
  outputAsInput: readonly object[],
  countTokens: TokenCounter,
): Omit<PreviousPrompt, 'fingerprint'> {
  const items = fingerprintItems(outputAsInput, countTokens);
  // An object literal (callers spread it into a PreviousPrompt, which reads the getter), not a class.
  return {
    outputItemHashes: items.hashes,
    get outputItemTokens() {
      return items.tokens;
    },
    outputItemDigests: items.digests,
  };
}
