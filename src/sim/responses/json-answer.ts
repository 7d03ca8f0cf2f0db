import { generateSync, type JsonSchema } from 'json-schema-faker';
import * as z from 'zod';
import { WeightedLru } from '../../util/lru.js';
import { hashString } from '../util/hash.js';
import type { TextFormat } from './schema.js';

function parsesAsJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const generated = new WeightedLru<string, string>(2_000);
const validators = new WeightedLru<string, z.ZodType | null>(500);

/** zod's reading of the schema (null when zod cannot read it), memoised per schema text. */
function validatorFor(schema: Record<string, unknown>): z.ZodType | null {
  const key = JSON.stringify(schema);
  const hit = validators.get(key);
  if (hit !== undefined) return hit;
  let validator: z.ZodType | null;
  try {
    validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch {
    validator = null;
  }
  validators.set(key, validator);
  return validator;
}

/** A JSON instance of the schema, the same for the same schema and seed text. */
function instanceOf(schema: Record<string, unknown>, seedText: string): string {
  const schemaText = JSON.stringify(schema);
  const key = `${schemaText}\u0001${seedText}`;
  const hit = generated.get(key);
  if (hit !== undefined) return hit;
  const seed = hashString(key) % 2_147_483_647;
  const value = generateSync(schema as JsonSchema, { seed, alwaysFakeOptionals: true });
  const text = JSON.stringify(value);
  generated.set(key, text);
  return text;
}

/**
 * The text of an answer in the format the request asks for. Plain text passes through. For
 * `json_object` the answer is sent as it is when it is a JSON object, else wrapped as
 * `{"answer": …}`. For `json_schema` a script's answer that already is valid for the schema is
 * sent verbatim (the script author's choice); any other answer is replaced by a deterministic
 * instance of the schema (json-schema-faker, seeded by the schema and the answer).
 */
export function formatAnswer(format: TextFormat | null | undefined, text: string): string {
  if (!format || format.type === 'text') return text;
  const parsed = parsesAsJson(text);
  if (format.type === 'json_object') {
    const isObject = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
    return isObject ? text : JSON.stringify({ answer: text });
  }
  if (parsed !== undefined && validatorFor(format.schema)?.safeParse(parsed).success) return text;
  return instanceOf(format.schema, text);
}
