import {
  type CacheClass,
  CacheForensics,
  cacheRetentionMsFor,
  cacheRulesFor,
  hashList,
  hitTolerance,
  type PrefixCheck,
  roundToCacheRules,
  type TokenCounter,
} from '../telemetry/index.js';
import type { IngestedRequest, PromptEvidence } from './types.js';

const asPreviousOutput = (o: PromptEvidence['output']) => ({
  outputItemHashes: o.hashes,
  outputItemTokens: o.tokens,
  outputItemDigests: o.digests,
});

export interface TurnCacheFindings {
  prefix: PrefixCheck;
  expectedCachedTokens: number | null;
  cacheClass: CacheClass;
  instructionsHash: string;
  itemsHash: string;
  /** Cached tokens fell short of what the previous request left in the cache: by how many. */
  dropTokens: number | null;
}

interface PreviousRequest {
  model: string;
  settings: Readonly<Record<string, string | null>>;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number | null;
}

const UNCHECKED: PrefixCheck = {
  extends_previous: null,
  diverged_at: null,
  reason: null,
  lost_tokens: null,
  detail: null,
};

export function formatGap(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
}

function settingsChange(
  before: Readonly<Record<string, string | null>>,
  after: Readonly<Record<string, string | null>>,
): string | null {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const changed = keys.filter((k) => (before[k] ?? null) !== (after[k] ?? null));
  if (changed.length === 0) return null;
  // Instructions are compared by hash: say that they changed, not the hashes.
  return changed
    .map((k) =>
      k === 'instructions'
        ? 'instructions changed'
        : `${k} ${before[k] ?? 'default'} → ${after[k] ?? 'default'}`,
    )
    .join(', ');
}

/**
 * Cache forensics for the requests of one logged session.
 *
 * Where the log holds the prompt (Codex's history items, or the plain format's `request`), each
 * request gets the same prefix check as a live run. Where it does not, a break is told from the
 * evidence the log has: the model or the settings changed (`model_changed`, `settings_changed`), or
 * the history was compacted (`compacted`).
 *
 * Then, either way, every drop in cached tokens gets a cause: cached tokens below what the
 * previous request left in the cache (its prompt, by the model's cache rules) or below the previous
 * request's own cached tokens. A drop the prefix check or the evidence does not explain is put down
 * to the cache's lifetime when the gap since the previous request is longer than the model's cache
 * retention (`ttl_expired`), else it is `unexplained`.
 */
export class SessionForensics {
  private tracker: CacheForensics;
  private previous: PreviousRequest | null = null;
  /** Whether the previous agent request's prompt is known, so the next can be checked against it. */
  private previousPromptKnown = false;
  private lastEnd: number | null = null;
  private turns = 0;

  constructor(private readonly countTokens?: TokenCounter) {
    this.tracker = this.newTracker();
  }

  private newTracker(): CacheForensics {
    return new CacheForensics(this.countTokens ? { countTokens: this.countTokens } : {});
  }

  /** Compaction and summary requests: not checked (a prompt of their own), but they end a gap. */
  sideRequest(request: IngestedRequest): void {
    this.lastEnd = Math.max(this.lastEnd ?? 0, request.endedAt);
  }

  /**
   * A compaction request whose prompt the log shows (the history and the item Codex appends),
   * checked against the last agent request as the recording proxy checks it: compared with that
   * request, without becoming it (the next agent request is still compared with the last one).
   * Null where there is nothing to check it against.
   */
  peek(request: IngestedRequest): TurnCacheFindings | null {
    this.sideRequest(request);
    if (!request.prompt || !this.previousPromptKnown || !this.previous) return null;
    const f = this.tracker.peekFingerprint({
      turn: this.turns + 1,
      fingerprint: request.prompt.fingerprint,
      inputTokens: request.usage.inputTokens,
      cachedTokens: request.usage.cachedTokens,
      afterCompaction: false,
    });
    return {
      prefix: f.prefix,
      expectedCachedTokens: f.expected_cached_tokens,
      cacheClass: f.cache_class,
      instructionsHash: f.instructions_hash,
      itemsHash: f.items_hash,
      dropTokens: null,
    };
  }

  turn(request: IngestedRequest): TurnCacheFindings {
    this.turns++;
    const turn = this.turns;
    const usage = request.usage;
    const rules = cacheRulesFor(request.model);
    const prev = this.previous;
    const start = request.startedAt ?? request.endedAt;
    const gap = this.lastEnd === null ? null : Math.max(0, start - this.lastEnd);

    let prefix: PrefixCheck;
    let expected: number | null;
    let cacheClass: CacheClass;
    let instructionsHash = '';
    let itemsHash = '';
    if (request.prompt && this.previousPromptKnown && prev) {
      const f = this.tracker.check({
        turn,
        fingerprint: request.prompt.fingerprint,
        output: asPreviousOutput(request.prompt.output),
        inputTokens: usage.inputTokens,
        cachedTokens: usage.cachedTokens,
        afterCompaction: request.afterCompaction,
      });
      prefix = f.prefix;
      expected = f.expected_cached_tokens;
      cacheClass = f.cache_class;
    } else {
      if (request.prompt) {
        // Nothing to check it against; it becomes the baseline of the next request.
        this.tracker = this.newTracker();
        this.tracker.check({
          turn: 1,
          fingerprint: request.prompt.fingerprint,
          output: asPreviousOutput(request.prompt.output),
          inputTokens: usage.inputTokens,
          cachedTokens: usage.cachedTokens,
          afterCompaction: false,
        });
      }
      ({ prefix, expected, cacheClass } = this.fromEvidence(request, prev, turn));
    }
    if (request.prompt) {
      instructionsHash = request.prompt.fingerprint.instructionsHash;
      itemsHash = hashList(request.prompt.fingerprint.itemHashes);
    }

    let dropTokens: number | null = null;
    if (prev && usage.cachedTokens !== null) {
      const cached = usage.cachedTokens;
      const belowExpected =
        expected !== null && cached < expected - hitTolerance(expected, rules) ? expected - cached : 0;
      const belowPrevious =
        prev.cachedTokens !== null && cached < prev.cachedTokens ? prev.cachedTokens - cached : 0;
      const lost = Math.max(belowExpected, belowPrevious);
      if (lost > 0) {
        dropTokens = lost;
        if (prefix.reason === null) {
          const retention = cacheRetentionMsFor(request.model);
          const idle = gap === null ? 'an unknown gap' : formatGap(gap);
          const reason = gap !== null && gap > retention ? 'ttl_expired' : 'unexplained';
          const of = Math.max(expected ?? 0, prev.cachedTokens ?? 0);
          prefix = {
            ...prefix,
            reason,
            lost_tokens: lost,
            detail:
              reason === 'ttl_expired'
                ? `cached ${cached} of ${of} after ${idle} idle; ${request.model}'s cache keeps an idle prefix about ${formatGap(retention)}`
                : `cached ${cached} of ${of} after ${idle}, within ${request.model}'s cache retention (${formatGap(retention)}); the log shows no model, settings or history change`,
          };
        } else if (prefix.lost_tokens === null) {
          prefix = { ...prefix, lost_tokens: lost };
        }
      }
    }

    this.previous = {
      model: request.model,
      settings: request.settings,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      cachedTokens: usage.cachedTokens,
    };
    this.previousPromptKnown = request.prompt !== null;
    this.lastEnd = Math.max(this.lastEnd ?? 0, request.endedAt);
    return {
      prefix,
      expectedCachedTokens: expected,
      cacheClass,
      instructionsHash,
      itemsHash,
      dropTokens,
    };
  }

  /** Without the prompt: what the log's own evidence says about the prefix. */
  private fromEvidence(
    request: IngestedRequest,
    prev: PreviousRequest | null,
    turn: number,
  ): { prefix: PrefixCheck; expected: number | null; cacheClass: CacheClass } {
    const usage = request.usage;
    const rules = cacheRulesFor(request.model);
    if (!prev) return { prefix: { ...UNCHECKED }, expected: 0, cacheClass: 'first_turn' };
    const couldHit = Math.min(prev.inputTokens + prev.outputTokens, usage.inputTokens);
    let prefix: PrefixCheck = { ...UNCHECKED };
    let expected: number | null = roundToCacheRules(Math.min(prev.inputTokens, usage.inputTokens), rules);
    const settings = settingsChange(prev.settings, request.settings);
    if (prev.model !== request.model) {
      prefix = {
        extends_previous: false,
        diverged_at: 'model',
        reason: 'model_changed',
        lost_tokens: couldHit,
        detail: `model ${prev.model} → ${request.model}${settings ? `; ${settings}` : ''}`,
      };
      expected = 0;
    } else if (settings) {
      prefix = {
        extends_previous: false,
        diverged_at: 'settings',
        reason: 'settings_changed',
        lost_tokens: couldHit,
        detail: `settings changed: ${settings}`,
      };
      expected = 0;
    } else if (request.afterCompaction) {
      prefix = {
        extends_previous: false,
        diverged_at: null,
        reason: 'compacted',
        lost_tokens: null,
        detail: 'history compacted (the log does not hold the history, so what survived is unknown)',
      };
      expected = null;
    }
    let cacheClass: CacheClass;
    if (turn <= 1) cacheClass = 'first_turn';
    else if (usage.inputTokens < rules.minTokens) cacheClass = 'below_minimum';
    else if (prefix.reason === 'model_changed' || prefix.reason === 'settings_changed')
      cacheClass = 'harness_break';
    else if (usage.cachedTokens === null || expected === null) cacheClass = 'unknown';
    else
      cacheClass = usage.cachedTokens >= expected - hitTolerance(expected, rules) ? 'hit' : 'provider_miss';
    return { prefix, expected, cacheClass };
  }
}
