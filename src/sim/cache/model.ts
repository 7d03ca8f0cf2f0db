import { analysePrompt, type PromptAnalysis } from '../prompt/analyse.js';
import type { Segment } from '../prompt/segments.js';
import type { TokenCache } from '../tokens/token-cache.js';
import { hashString } from '../util/hash.js';
import type { PromptFingerprint } from './diagnostics.js';
import { PrefixCacheStore } from './prefix-cache.js';
import { type CacheProfile, profileForModel, requestedTtl, ttlMs } from './profiles.js';

/** The request settings that decide routing, lifetime and what may share a prefix. */
export interface CacheSettings {
  model: string;
  promptCacheKey: string | null;
  retention: 'in_memory' | '24h' | null;
  ttl: '30m' | '12h' | undefined;
  mode: 'implicit' | 'explicit';
  reasoningEffort: string | null;
  textFormat: string | null;
  verbosity: string | null;
  serviceTier: string | null;
}

export interface CacheLookup {
  settings: CacheSettings;
  profile: CacheProfile;
  bucket: number;
  analysis: PromptAnalysis;
  inputTokens: number;
  cachedTokens: number;
}

export interface CacheUsage {
  cachedTokens: number;
  writeTokens: number;
  writeBucket: '30m' | '12h';
  reportsWrites: boolean;
}

/**
 * The implicit prompt cache shared by both endpoints: routing, lookup and write. Lookup and
 * write are separate so a request that fails (an injected fault) writes nothing.
 */
export class CacheModel {
  readonly store: PrefixCacheStore;

  constructor(
    private readonly tokens: TokenCache,
    capacityTokens: number,
    now: () => number,
    private readonly defaultTtlMs: number | undefined,
  ) {
    this.store = new PrefixCacheStore(capacityTokens, now);
  }

  lookup(segments: Segment[], settings: CacheSettings): CacheLookup {
    const profile = profileForModel(settings.model);
    const seed = [settings.model, settings.reasoningEffort ?? '', settings.textFormat ?? ''].join('\u0001');
    let bucket = 0;
    const analysis = analysePrompt(segments, this.tokens, {
      seed,
      blockSize: profile.blockSize,
      probeFor: (head) => {
        bucket = routingBucket(settings, head);
        return this.store.probePositions(bucket);
      },
    });
    const cachedTokens = this.store.lookup(bucket, analysis, profile);
    return { settings, profile, bucket, analysis, inputTokens: analysis.totalTokens, cachedTokens };
  }

  commit(l: CacheLookup): CacheUsage {
    const ttl = requestedTtl(l.profile, l.settings.retention, l.settings.ttl, this.defaultTtlMs);
    this.store.touch(l.bucket, l.analysis, l.cachedTokens, ttl.ms);
    const breakpointTtlMs = new Map<number, number>();
    for (const bp of l.analysis.breakpoints) if (bp.ttl) breakpointTtlMs.set(bp.pos, ttlMs(bp.ttl));
    const written = this.store.write(l.bucket, l.analysis, l.profile, l.cachedTokens, {
      ttlMs: ttl.ms,
      breakpointTtlMs,
      implicitEnd: l.profile.blockSize === null && l.settings.mode === 'implicit',
    });
    return {
      cachedTokens: l.cachedTokens,
      writeTokens: l.profile.reportsWrites ? written : 0,
      writeBucket: ttl.bucket,
      reportsWrites: l.profile.reportsWrites,
    };
  }

  clear(): void {
    this.store.clear();
  }
}

/** Requests land on the same cache shard by prompt_cache_key, else by the prompt's head. */
function routingBucket(s: CacheSettings, headHash: number): number {
  return hashString(
    `${s.model}\u0001${s.promptCacheKey !== null ? `key:${s.promptCacheKey}` : `head:${headHash}`}`,
  );
}

export function fingerprintOf(l: CacheLookup): PromptFingerprint {
  const s = l.settings;
  return {
    model: s.model,
    promptCacheKey: s.promptCacheKey,
    reasoningEffort: s.reasoningEffort,
    textFormat: s.textFormat,
    verbosity: s.verbosity,
    serviceTier: s.serviceTier,
    boundaries: l.analysis.boundaries,
    totalTokens: l.inputTokens,
  };
}
