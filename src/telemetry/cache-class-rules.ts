/** How a provider's prefix cache rounds: nothing below `minTokens`, hits in multiples of `step`. */
export interface CacheRules {
  minTokens: number;
  step: number;
}

interface CacheProfile {
  /** Matched against the model name; the first profile that matches wins. */
  pattern: RegExp;
  rules: CacheRules;
  note: string;
}

/**
 * Per-model cache profiles, as data. OpenAI: 1024-token minimum; hits in 128-token steps before the
 * GPT-5.6 generation, exact matching from it on. Unknown models (local OpenAI-compatible servers,
 * the sim under any name) fall back to the older OpenAI rules, which the sim also follows.
 */
export const CACHE_PROFILES: readonly CacheProfile[] = [
  {
    pattern: /^gpt-5\.([6-9]|\d{2,})\b/,
    rules: { minTokens: 1024, step: 1 },
    note: 'GPT-5.6+: exact matching',
  },
  {
    pattern: /^gpt-([6-9]|\d{2,})\b/,
    rules: { minTokens: 1024, step: 1 },
    note: 'after GPT-5: exact matching',
  },
  {
    pattern: /^(gpt-|o\d|chatgpt-|codex-)/,
    rules: { minTokens: 1024, step: 128 },
    note: 'OpenAI: 128-token steps',
  },
];

export const DEFAULT_CACHE_RULES: CacheRules = { minTokens: 1024, step: 128 };

export function cacheRulesFor(model: string): CacheRules {
  const name = model.toLowerCase().replace(/^openai\//, '');
  return CACHE_PROFILES.find((profile) => profile.pattern.test(name))?.rules ?? DEFAULT_CACHE_RULES;
}

interface RetentionProfile {
  pattern: RegExp;
  retentionMs: number;
  note: string;
}

const MINUTE_MS = 60_000;

/**
 * How long a provider keeps an idle cached prefix, per model family: the gap after which a miss is
 * put down to expiry (`ttl_expired`) when reading session logs. OpenAI documents 5 to 10 minutes of
 * inactivity for the in-memory cache (up to an hour off-peak), so the lower bound is used; the
 * GPT-5.6 generation keeps 30 minutes by default. The sim's models follow the sim's own profiles.
 */
export const CACHE_RETENTION: readonly RetentionProfile[] = [
  { pattern: /^sim-exact/, retentionMs: 30 * MINUTE_MS, note: "the sim's exact profile" },
  { pattern: /^sim-/, retentionMs: 10 * MINUTE_MS, note: "the sim's 128-token profile" },
  { pattern: /^gpt-5\.([6-9]|\d{2,})\b/, retentionMs: 30 * MINUTE_MS, note: 'GPT-5.6+: 30 min default ttl' },
  { pattern: /^gpt-([6-9]|\d{2,})\b/, retentionMs: 30 * MINUTE_MS, note: 'after GPT-5: 30 min default ttl' },
  {
    pattern: /^(gpt-|o\d|chatgpt-|codex-)/,
    retentionMs: 5 * MINUTE_MS,
    note: 'OpenAI in-memory: 5-10 min idle',
  },
];

export const DEFAULT_CACHE_RETENTION_MS = 5 * MINUTE_MS;

export function cacheRetentionMsFor(model: string): number {
  const name = model.toLowerCase().replace(/^openai\//, '');
  return (
    CACHE_RETENTION.find((profile) => profile.pattern.test(name))?.retentionMs ?? DEFAULT_CACHE_RETENTION_MS
  );
}
