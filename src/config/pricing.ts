import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { parseOptions } from './parse-once.js';

const rate = z.number().min(0);

/**
 * USD per million tokens. A missing `cache_write` means writes are billed as uncached input.
 * `cache_write` is the 30-minute-retention rate; `cache_write_12h` the rate of a write with 12-hour
 * retention, which falls back to `cache_write` when missing (an under-count where it costs more).
 */
const RatesShape = {
  input: rate,
  cached_input: rate,
  cache_write: rate.optional(),
  cache_write_12h: rate.optional(),
  output: rate,
};

/** A 12-hour write rate belongs to a model that bills writes. */
function checkWriteRates(
  rates: { cache_write?: number | undefined; cache_write_12h?: number | undefined },
  ctx: z.RefinementCtx,
): void {
  if (rates.cache_write_12h !== undefined && rates.cache_write === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['cache_write'],
      message: 'required with cache_write_12h: the 30-minute write rate (cache_write_12h is the 12-hour one)',
    });
  }
}

/**
 * The rates of a request whose input (cached and written tokens included) is more than
 * `above_input_tokens`: they apply to every token of that request, not only to those past the line.
 */
export const LongContextPriceSchema = z
  .object({ above_input_tokens: z.number().int().min(0), ...RatesShape })
  .strict()
  .superRefine((tier, ctx) => checkWriteRates(tier, ctx));
export type LongContextPrice = z.infer<typeof LongContextPriceSchema>;

export const ModelPriceSchema = z
  .object({ ...RatesShape, long_context: LongContextPriceSchema.optional() })
  .strict()
  .superRefine((price, ctx) => {
    checkWriteRates(price, ctx);
    // A rate the model bills must be in its long-context tier too: else a long request's writes
    // would fall back to a lower rate (30-minute writes to long input, 12-hour to long 30-minute).
    for (const [field, what] of [
      ['cache_write', 'writes'],
      ['cache_write_12h', '12-hour writes'],
    ] as const) {
      if (price[field] !== undefined && price.long_context && price.long_context[field] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['long_context', field],
          message: `required: the model bills ${field}, so its long-context tier must say what ${what} cost`,
        });
      }
    }
  });
export type ModelPrice = z.infer<typeof ModelPriceSchema>;

/** Keys are exact model names or prefixes ending in '*'. */
export const PricingSchema = z.object({ models: z.record(z.string().min(1), ModelPriceSchema) }).strict();
export type Pricing = z.infer<typeof PricingSchema>;

export interface UsageForCost {
  /** All input tokens of the request: uncached, cached and written to the cache. */
  inputTokens: number;
  cachedTokens: number | null;
  cacheWriteTokens: number | null;
  /** The part of `cacheWriteTokens` written with 12-hour retention; null when unknown. */
  cacheWrite12hTokens: number | null;
  outputTokens: number;
}

/**
 * The shipped pricing.yaml sits at the package root. This module runs from src/config/ (vitest, tsx)
 * or from dist/src/config/ (tsc output), so walk up until the file is found.
 */
export function shippedPricingPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'pricing.yaml');
    if (existsSync(candidate) && existsSync(join(dir, 'package.json'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('pricing.yaml not found at the turnbench package root');
}

async function readPricingText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`${file}: cannot read pricing file (${(err as Error).message})`);
  }
}

function parsePricingYaml(file: string, text: string): unknown {
  try {
    return parseYaml(text);
  } catch (err) {
    throw new Error(`${file}: invalid YAML (${(err as Error).message.split('\n')[0]})`);
  }
}

function validatedPricing(file: string, raw: unknown): Pricing {
  const parsed = PricingSchema.safeParse(raw, parseOptions(PricingSchema));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join('.') || '(root)';
    throw new Error(`${file}: field ${field}: ${issue?.message ?? 'invalid pricing'}`);
  }
  return parsed.data;
}

async function readPricingFile(file: string): Promise<Pricing> {
  const text = await readPricingText(file);
  return validatedPricing(file, parsePricingYaml(file, text));
}

const CompiledPricingSchema = z.object({ source_sha256: z.string(), pricing: z.unknown() });

/**
 * The table as the build parsed it (scripts/build-pricing.mjs writes `compiled`), when it was
 * parsed from exactly `text`; null when there is no such file or it is of another text (an edited
 * pricing.yaml, a build that did not run), and the YAML is read instead.
 */
async function compiledPricing(compiled: string, text: string): Promise<unknown> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(compiled, 'utf8'));
  } catch {
    return null;
  }
  const found = CompiledPricingSchema.safeParse(json, parseOptions(CompiledPricingSchema));
  if (!found.success) return null;
  const hash = createHash('sha256').update(text).digest('hex');
  return found.data.source_sha256 === hash ? found.data.pricing : null;
}

/**
 * A pricing file that may have a compiled twin (the shipped table: dist/pricing.json). What is
 * read is validated the same way, from either.
 */
export async function readPricingWithCompiled(file: string, compiled: string): Promise<Pricing> {
  const text = await readPricingText(file);
  const raw = (await compiledPricing(compiled, text)) ?? parsePricingYaml(file, text);
  return validatedPricing(file, raw);
}

/** The shipped table, extended and overridden per model by `file` when given. */
export async function loadPricing(file?: string): Promise<Pricing> {
  const path = shippedPricingPath();
  const shipped = await readPricingWithCompiled(path, join(dirname(path), 'dist', 'pricing.json'));
  if (!file) return shipped;
  const user = await readPricingFile(file);
  return { models: { ...shipped.models, ...user.models } };
}

/** The key of the table that prices `model`: its exact name first, then the longest matching `prefix*` key. */
export function pricingKeyFor(pricing: Pricing, model: string): string | null {
  if (pricing.models[model]) return model;
  let best: string | null = null;
  for (const key of Object.keys(pricing.models)) {
    if (key.endsWith('*') && model.startsWith(key.slice(0, -1)) && (!best || key.length > best.length)) {
      best = key;
    }
  }
  return best;
}

export function priceFor(pricing: Pricing, model: string): ModelPrice | null {
  const key = pricingKeyFor(pricing, model);
  return key === null ? null : (pricing.models[key] ?? null);
}

/** The rates that bill a request of `inputTokens` input tokens (cached and written ones included). */
function ratesFor(price: ModelPrice, inputTokens: number): Omit<LongContextPrice, 'above_input_tokens'> {
  const long = price.long_context;
  return long && inputTokens > long.above_input_tokens ? long : price;
}

/**
 * Cost of one request. Unknown cached / write counts are treated as 0 (billed as uncached input).
 * Writes are billed at `cache_write`, their 12-hour part at `cache_write_12h`; an unknown 12-hour
 * part, or a table without that rate, bills them all at `cache_write` (under-counting 12-hour
 * writes), and a table without `cache_write` bills writes as input. Reasoning tokens are already
 * part of output tokens. Null when the model has no price. A request over the model's
 * long-context threshold is billed whole at the long-context rates.
 */
export function costUsd(price: ModelPrice | null, u: UsageForCost): number | null {
  if (!price) return null;
  const rates = ratesFor(price, u.inputTokens);
  const cached = u.cachedTokens ?? 0;
  const writes = u.cacheWriteTokens ?? 0;
  const writes12h = Math.min(writes, u.cacheWrite12hTokens ?? 0);
  const uncached = Math.max(0, u.inputTokens - cached - writes);
  const writeRate = rates.cache_write ?? rates.input;
  const write12hRate = rates.cache_write_12h ?? writeRate;
  const micro =
    uncached * rates.input +
    cached * rates.cached_input +
    (writes - writes12h) * writeRate +
    writes12h * write12hRate +
    u.outputTokens * rates.output;
  return micro / 1_000_000;
}
