/**
 * Prompt-cache behaviour per model family, as data. Older generations hit in 128-token
 * blocks from 1024 tokens and report no writes; the gpt-5.6 generation matches exactly at
 * breakpoints and reports cache writes (their 1.25x price is the pricing layer's business).
 */
export interface CacheProfile {
  name: string;
  /** Prompts shorter than this never hit and are never stored. */
  minTokens: number;
  /** Hits are multiples of this many tokens; null = exact matching at breakpoints. */
  blockSize: number | null;
  reportsWrites: boolean;
  /** Lifetime of an `in_memory` entry when no ttl is asked for. */
  defaultTtlMs: number;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;

export const BLOCK_PROFILE: CacheProfile = {
  name: 'block-128',
  minTokens: 1024,
  blockSize: 128,
  reportsWrites: false,
  defaultTtlMs: 10 * MINUTE_MS,
};

export const EXACT_PROFILE: CacheProfile = {
  name: 'exact',
  minTokens: 1024,
  blockSize: null,
  reportsWrites: true,
  defaultTtlMs: 30 * MINUTE_MS,
};

const RULES: Array<{ pattern: RegExp; profile: CacheProfile }> = [
  { pattern: /^sim-exact/, profile: EXACT_PROFILE },
  { pattern: /^gpt-5\.([6-9]|\d{2,})/, profile: EXACT_PROFILE },
  { pattern: /^gpt-([6-9]|\d{2,})/, profile: EXACT_PROFILE },
];

export function profileForModel(model: string): CacheProfile {
  return RULES.find((r) => r.pattern.test(model))?.profile ?? BLOCK_PROFILE;
}

/**
 * The lifetime a request asks for, in ms, and which usage bucket its writes land in. Only
 * `prompt_cache_options.ttl: 12h` makes 12-hour writes: `prompt_cache_retention: 24h` is a maximum
 * retention policy that the API keeps apart from the ttl (and the only value GPT-5.5 and later
 * take), so its writes are reported, and billed, as 30-minute ones.
 */
export function requestedTtl(
  profile: CacheProfile,
  retention: 'in_memory' | '24h' | null | undefined,
  ttl: '30m' | '12h' | undefined,
  defaultTtlMs: number | undefined,
): { ms: number; bucket: '30m' | '12h' } {
  if (ttl === '12h') return { ms: 12 * HOUR_MS, bucket: '12h' };
  if (retention === '24h') return { ms: 24 * HOUR_MS, bucket: '30m' };
  if (ttl === '30m') return { ms: 30 * MINUTE_MS, bucket: '30m' };
  return { ms: defaultTtlMs ?? profile.defaultTtlMs, bucket: '30m' };
}

export function ttlMs(ttl: '30m' | '12h'): number {
  return ttl === '12h' ? 12 * HOUR_MS : 30 * MINUTE_MS;
}
