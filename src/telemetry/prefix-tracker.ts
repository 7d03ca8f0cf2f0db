import type { ModelRequest, PromptItem } from '../model/types.js';
import {
  type CacheRules,
  cacheRulesFor,
  classifyTurn,
  expectedCachedTokens,
  type PromptAnchor,
} from './cache-class.js';
import { hashList } from './hash.js';
import { ItemChain } from './item-chain.js';
import {
  checkPrefix,
  fingerprintOutput,
  fingerprintRequest,
  type PreviousPrompt,
  type PromptFingerprint,
} from './prefix.js';
import type { ItemDigest } from './prefix-items.js';
import { countO200kTokens, type TokenCounter } from './prefix-tokens.js';
import type { CacheClass, PrefixCheck } from './records.js';

/** The cache fields of one turn record. */
export interface TurnForensics {
  fingerprint: PromptFingerprint;
  instructions_hash: string;
  tools_hash: string;
  items_hash: string;
  item_count: number;
  /** `lost_tokens` is calibrated to the provider's token count when the previous input_tokens is known. */
  prefix: PrefixCheck;
  expected_cached_tokens: number;
  cache_class: CacheClass;
}

export interface ForensicsTurnInput {
  turn: number;
  /** The logical request: full history even in previous_response_id mode. */
  request: ModelRequest;
  /** The response's output as resent: the very objects `outputItemsAsInput` returned for the history. */
  outputAsInput: readonly PromptItem[];
  inputTokens: number;
  cachedTokens: number | null;
  /** The previous step compacted the history. */
  afterCompaction: boolean;
  /**
   * A prompt the provider processed after the previous turn without reporting usage: the failed
   * attempt this request retries, when its answer had begun (the provider had read the prompt, so
   * its cache holds it). The expectation counts what this request shares with it as well.
   */
  processedBefore?: ModelRequest | null;
}

/** One request to check, by its fingerprint, with the provider's figures for it. */
interface FingerprintCheck {
  turn: number;
  fingerprint: PromptFingerprint;
  inputTokens: number;
  cachedTokens: number | null;
  afterCompaction: boolean;
  /** See ForensicsTurnInput.processedBefore. */
  processedBefore?: PromptFingerprint | null;
}

/**
 * Per-sample cache forensics for the agent's own requests: prefix check against the previous
 * request + output, expected cached tokens and the turn's class. One instance per sample; feed it
 * agent turns only (compaction/summary requests have a prompt of their own).
 */
export class CacheForensics {
  private readonly countTokens: TokenCounter;
  private readonly rules: CacheRules | undefined;
  private previous: (PreviousPrompt & { inputTokens: number | null }) | null = null;
  /** The provider's input_tokens of every prompt seen, by head and item chain (see `anchorFor`). */
  private readonly anchors = new Map<string, number>();
  private readonly chain = new ItemChain();

  constructor(opts: { countTokens?: TokenCounter; rules?: CacheRules } = {}) {
    this.countTokens = opts.countTokens ?? countO200kTokens;
    this.rules = opts.rules;
  }

  turn(input: ForensicsTurnInput): TurnForensics {
    return this.check({
      turn: input.turn,
      fingerprint: fingerprintRequest(input.request, this.countTokens),
      output: fingerprintOutput(input.outputAsInput, this.countTokens),
      inputTokens: input.inputTokens,
      cachedTokens: input.cachedTokens,
      afterCompaction: input.afterCompaction,
      processedBefore: this.processedFingerprint(input.processedBefore),
    });
  }

  private processedFingerprint(request: ModelRequest | null | undefined): PromptFingerprint | null {
    return request ? fingerprintRequest(request, this.countTokens) : null;
  }

  /**
   * The same check from fingerprints: for readers that keep item digests instead of items (the
   * session-log ingester). `output` is the response's output items as resent, fingerprinted.
   */
  check(input: FingerprintCheck & { output: Omit<PreviousPrompt, 'fingerprint'> }): TurnForensics {
    const forensics = this.compute(input);
    const output = input.output;
    this.previous = new PreviousTurn(input.fingerprint, output, input.inputTokens);
    this.remember(input.fingerprint, input.inputTokens);
    return forensics;
  }

  /**
   * The same check for a request that is not the conversation's next turn (a compaction or
   * summary request an observed agent made on the side): compared with the last turn, but the
   * next turn is still compared with that last turn, not with this one.
   */
  peek(input: Omit<ForensicsTurnInput, 'outputAsInput'>): TurnForensics {
    return this.peekFingerprint({
      ...input,
      fingerprint: fingerprintRequest(input.request, this.countTokens),
      processedBefore: this.processedFingerprint(input.processedBefore),
    });
  }

  /** `peek` from a fingerprint (the session-log ingester's compaction requests). */
  peekFingerprint(input: FingerprintCheck): TurnForensics {
    const forensics = this.compute(input);
    this.remember(input.fingerprint, input.inputTokens);
    return forensics;
  }

  private remember(fingerprint: PromptFingerprint, inputTokens: number): void {
    const chain = this.chain.key(fingerprint.itemHashes, fingerprint.itemHashes.length);
    this.anchors.set(anchorKey(fingerprint, chain), inputTokens);
  }

  /**
   * The longest prompt seen whose items are exactly the first items of `next`'s shared part: its
   * input_tokens is the provider's own count of that prefix. Looked for only when the prefix held
   * partly (after a compaction, mostly), so the chain walk is rare.
   */
  private anchorFor(fingerprint: PromptFingerprint, prefix: PrefixCheck): PromptAnchor | null {
    if (typeof prefix.diverged_at !== 'number' || prefix.diverged_at < 1) return null;
    for (const { items, key } of this.chain.keys(fingerprint.itemHashes, prefix.diverged_at)) {
      const inputTokens = this.anchors.get(anchorKey(fingerprint, key));
      if (inputTokens !== undefined) return { items, inputTokens };
    }
    return null;
  }

  private compute(input: FingerprintCheck): TurnForensics {
    const { fingerprint } = input;
    const rules = this.rules ?? cacheRulesFor(fingerprint.model);
    const prev = this.previous;
    const raw = checkPrefix(prev, fingerprint, { compactedSincePrevious: input.afterCompaction });
    const prefix = prev ? calibrateLost(raw, prev.fingerprint, prev.inputTokens) : raw;
    const next = { fingerprint, inputTokens: input.inputTokens };
    let expected = expectedCachedTokens(
      raw,
      prev ? { fingerprint: prev.fingerprint, inputTokens: prev.inputTokens } : null,
      next,
      rules,
      this.anchorFor(fingerprint, raw),
    );
    if (prev && input.processedBefore) {
      // The prefix check stays against the last turn (what the conversation's layout did); the
      // cache a failed attempt wrote is what a perfect provider would serve this request too.
      const processed = input.processedBefore;
      const shared = checkPrefix(
        { fingerprint: processed, outputItemHashes: [], outputItemTokens: [] },
        fingerprint,
      );
      expected = Math.max(
        expected,
        expectedCachedTokens(shared, { fingerprint: processed, inputTokens: null }, next, rules),
      );
    }
    const cacheClass = classifyTurn({
      turn: input.turn,
      prefix,
      expectedCached: expected,
      observedCached: input.cachedTokens,
      inputTokens: input.inputTokens,
      afterCompaction: input.afterCompaction,
      rules,
    });
    return {
      fingerprint,
      instructions_hash: fingerprint.instructionsHash,
      tools_hash: fingerprint.toolsHash,
      items_hash: hashList(fingerprint.itemHashes),
      item_count: fingerprint.itemHashes.length,
      prefix,
      expected_cached_tokens: expected,
      cache_class: cacheClass,
    };
  }
}

/** The last turn, as the next one is checked against it. */
class PreviousTurn implements PreviousPrompt {
  readonly outputItemHashes: string[];
  readonly outputItemDigests?: ItemDigest[];

  constructor(
    readonly fingerprint: PromptFingerprint,
    private readonly output: Omit<PreviousPrompt, 'fingerprint'>,
    readonly inputTokens: number | null,
  ) {
    this.outputItemHashes = output.outputItemHashes;
    if (output.outputItemDigests) this.outputItemDigests = output.outputItemDigests;
  }

  // Read through, not copied: copying would count the tokens now, which only a later break may need.
  get outputItemTokens(): number[] {
    return this.output.outputItemTokens;
  }
}

/** Scale estimated lost tokens by (provider's previous input_tokens / our estimate of that prompt). */
function calibrateLost(
  prefix: PrefixCheck,
  prev: PromptFingerprint,
  prevInputTokens: number | null,
): PrefixCheck {
  if (prefix.lost_tokens === null || prefix.lost_tokens === 0 || prevInputTokens === null) return prefix;
  let estimate = prev.prefixTokens;
  for (const tokens of prev.itemTokens) estimate += tokens;
  if (estimate <= 0) return prefix;
  return { ...prefix, lost_tokens: Math.round((prefix.lost_tokens * prevInputTokens) / estimate) };
}

/** Everything before the items that a cached prefix depends on. */
function anchorKey(fp: PromptFingerprint, chain: string): string {
  return `${fp.model}|${fp.instructionsHash}|${fp.toolsHash}|${fp.settingsHash}|${fp.promptCacheKey}|${chain}`;
}
