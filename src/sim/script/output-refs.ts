import type { JsonOutput } from './conversation.js';

/**
 * `{{output.<field>}}` in a step's `args`: the value of that top-level field in the most recent
 * tool result of the conversation that is a JSON object holding it. It is how a script uses what
 * only the client knows, such as the id Codex gives a sub-agent (`spawn_agent` answers
 * `{"agent_id": …}`; `wait_agent` then takes `targets: ["{{output.agent_id}}"]`).
 *
 * A string that is exactly one reference becomes the value itself (a number stays a number);
 * a reference inside a longer string becomes its text (JSON for objects and arrays). A reference
 * no result answers (none yet, or a compaction dropped it) is left as written, so the client's
 * answer to the call shows what was missing.
 */
const REF = /\{\{\s*output\.([A-Za-z0-9_-]+)\s*\}\}/g;
const WHOLE_REF = /^\{\{\s*output\.([A-Za-z0-9_-]+)\s*\}\}$/;
const HAS_REF = /\{\{\s*output\./;

function lookup(outputs: readonly JsonOutput[], field: string): { value: unknown } | null {
  for (let i = outputs.length - 1; i >= 0; i--) {
    const fields = (outputs[i] as JsonOutput).fields;
    if (Object.hasOwn(fields, field)) return { value: fields[field] };
  }
  return null;
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function resolveString(text: string, outputs: readonly JsonOutput[]): unknown {
  const whole = WHOLE_REF.exec(text);
  if (whole) {
    const found = lookup(outputs, whole[1] as string);
    return found ? found.value : text;
  }
  return text.replace(REF, (ref, field: string) => {
    const found = lookup(outputs, field);
    return found ? asText(found.value) : ref;
  });
}

/** True when a value holds a reference anywhere (only such args are rebuilt each turn). */
export function hasOutputRef(value: unknown): boolean {
  if (typeof value === 'string') return HAS_REF.test(value);
  if (Array.isArray(value)) return value.some(hasOutputRef);
  if (value && typeof value === 'object') return Object.values(value).some(hasOutputRef);
  return false;
}

/** `args` with every `{{output.<field>}}` replaced from the conversation's JSON tool results. */
export function resolveOutputRefs<T>(value: T, outputs: readonly JsonOutput[]): T {
  if (typeof value === 'string') return resolveString(value, outputs) as T;
  if (Array.isArray(value)) return value.map((v) => resolveOutputRefs(v, outputs)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveOutputRefs(v, outputs)])) as T;
  }
  return value;
}
