import {
  countO200kTokens,
  fingerprintItems,
  type ItemFingerprints,
  type TokenCounter,
  TokenMemo,
} from '../telemetry/index.js';

/**
 * Token counts kept per history, for items seen again (a compaction's replacement history, a
 * repeated tool output). Small and its own: a log's items are mostly seen once, and the
 * process-wide memo would keep one entry per item of the log (up to 200k), so memory would grow
 * with the log's size.
 */
const HISTORY_MEMO_CAPACITY = 2048;

/**
 * The conversation history of a session as the prefix check needs it: one digest and one token
 * estimate per item, never the items themselves, so a long session costs a few numbers per item.
 * `known` is false while the log cannot tell what the history holds (after a compaction that did
 * not record its replacement history, or a rollback).
 */
export class ItemHistory {
  private hashes: string[] = [];
  private tokens: number[] = [];
  private digests: ItemFingerprints['digests'] = [];
  private readonly memo = new TokenMemo(HISTORY_MEMO_CAPACITY);
  known = true;

  constructor(private readonly countTokens: TokenCounter = countO200kTokens) {}

  get length(): number {
    return this.hashes.length;
  }

  /** Fingerprints one item (as it would be sent) and appends it. */
  push(item: object): ItemFingerprints {
    const one = fingerprintItems([item], this.countTokens, this.memo);
    this.hashes.push(one.hashes[0]!);
    this.tokens.push(one.tokens[0]!);
    this.digests.push(one.digests[0]!);
    return one;
  }

  /** A compaction's replacement history, or null when the log does not say what replaced it. */
  replace(items: readonly object[] | null): void {
    this.hashes = [];
    this.tokens = [];
    this.digests = [];
    this.known = items !== null;
    for (const item of items ?? []) this.push(item);
  }

  forget(): void {
    this.replace(null);
  }

  /** The first `count` items: the input of a request sent when the history was that long. */
  prefix(count: number): ItemFingerprints {
    return {
      hashes: this.hashes.slice(0, count),
      tokens: this.tokens.slice(0, count),
      digests: this.digests.slice(0, count),
    };
  }
}

/** Appends one item's fingerprints to a list (a response's output, as it accumulates). */
export function appendFingerprints(list: ItemFingerprints, one: ItemFingerprints): void {
  list.hashes.push(...one.hashes);
  list.tokens.push(...one.tokens);
  list.digests.push(...one.digests);
}

/** Two lists' fingerprints one after the other (a request's leading item, then the history). */
export function joinFingerprints(first: ItemFingerprints, then: ItemFingerprints): ItemFingerprints {
  return {
    hashes: [...first.hashes, ...then.hashes],
    tokens: [...first.tokens, ...then.tokens],
    digests: [...first.digests, ...then.digests],
  };
}

export function emptyFingerprints(): ItemFingerprints {
  return { hashes: [], tokens: [], digests: [] };
}
