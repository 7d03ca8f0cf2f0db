/**
 * Per-model cache profiles, as data. OpenAI: 1024-token minimum; hits in 128-token steps before the
 * GPT-5.6 generation, exact matching from it on. Unknown models (local OpenAI-compatible servers,
 * the sim under any name) fall back to the older OpenAI rules, which the sim also follows.
 */
export const CACHE_PROFILES = [
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
export const DEFAULT_CACHE_RULES = { minTokens: 1024, step: 128 };
export function cacheRulesFor(model) {
    const name = model.toLowerCase().replace(/^openai\//, '');
    return CACHE_PROFILES.find((profile) => profile.pattern.test(name))?.rules ?? DEFAULT_CACHE_RULES;
}
//# sourceMappingURL=cache-class-rules.js.map