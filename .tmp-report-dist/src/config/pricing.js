import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
/** USD per million tokens. */
export const ModelPriceSchema = z
    .object({
    input: z.number().min(0),
    cached_input: z.number().min(0),
    cache_write: z.number().min(0).optional(),
    output: z.number().min(0),
})
    .strict();
/** Keys are exact model names or prefixes ending in '*'. */
export const PricingSchema = z.object({ models: z.record(z.string().min(1), ModelPriceSchema) }).strict();
/**
 * The shipped pricing.yaml sits at the package root. This module runs from src/config/ (vitest, tsx)
 * or from dist/src/config/ (tsc output), so walk up until the file is found.
 */
export function shippedPricingPath() {
    let dir = dirname(fileURLToPath(import.meta.url));
    for (let i = 0; i < 5; i++) {
        const candidate = join(dir, 'pricing.yaml');
        if (existsSync(candidate) && existsSync(join(dir, 'package.json')))
            return candidate;
        dir = dirname(dir);
    }
    throw new Error('pricing.yaml not found at the turnbench package root');
}
async function readPricingFile(file) {
    let text;
    try {
        text = await readFile(file, 'utf8');
    }
    catch (err) {
        throw new Error(`${file}: cannot read pricing file (${err.message})`);
    }
    let raw;
    try {
        raw = parseYaml(text);
    }
    catch (err) {
        throw new Error(`${file}: invalid YAML (${err.message.split('\n')[0]})`);
    }
    const parsed = PricingSchema.safeParse(raw);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue?.path.map(String).join('.') || '(root)';
        throw new Error(`${file}: field ${field}: ${issue?.message ?? 'invalid pricing'}`);
    }
    return parsed.data;
}
/** The shipped table, extended and overridden per model by `file` when given. */
export async function loadPricing(file) {
    const shipped = await readPricingFile(shippedPricingPath());
    if (!file)
        return shipped;
    const user = await readPricingFile(file);
    return { models: { ...shipped.models, ...user.models } };
}
/** Exact name first, then the longest matching `prefix*` key. */
export function priceFor(pricing, model) {
    const exact = pricing.models[model];
    if (exact)
        return exact;
    let best = null;
    for (const [key, price] of Object.entries(pricing.models)) {
        if (!key.endsWith('*'))
            continue;
        const prefix = key.slice(0, -1);
        if (model.startsWith(prefix) && (!best || prefix.length > best.length)) {
            best = { length: prefix.length, price };
        }
    }
    return best?.price ?? null;
}
/**
 * Cost of one request. Unknown cached / write counts are treated as 0 (billed as uncached input).
 * Reasoning tokens are already part of output tokens. Null when the model has no price.
 */
export function costUsd(price, u) {
    if (!price)
        return null;
    const cached = u.cachedTokens ?? 0;
    const writes = u.cacheWriteTokens ?? 0;
    const uncached = Math.max(0, u.inputTokens - cached - writes);
    const writeRate = price.cache_write ?? price.input;
    const micro = uncached * price.input + cached * price.cached_input + writes * writeRate + u.outputTokens * price.output;
    return micro / 1_000_000;
}
//# sourceMappingURL=pricing.js.map