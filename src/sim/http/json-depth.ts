import { MAX_JSON_DEPTH } from '../../config/bounds.js';
import { badRequest, type SimHttpError } from './errors.js';

/**
 * Whether a parsed JSON value nests arrays and objects more than `max` levels deep (the value itself
 * is level 1). A walk with its own stack, never recursion, that stops at the first level past
 * `max` and never looks into strings: a Codex-sized body (~40 KB, a few hundred containers) takes a
 * few microseconds. V8's JSON.parse does not recurse, so any depth parses; what the sim does with
 * the value afterwards (JSON.stringify, schema libraries) does.
 */
export function nestsDeeperThan(root: unknown, max: number): boolean {
  if (root === null || typeof root !== 'object') return false;
  if (max < 1) return true;
  const pending: object[] = [root];
  const depths: number[] = [1];
  const visit = (child: unknown, depth: number): boolean => {
    if (child === null || typeof child !== 'object') return false;
    if (depth > max) return true;
    pending.push(child);
    depths.push(depth);
    return false;
  };
  while (pending.length > 0) {
    const value = pending.pop() as Record<string, unknown> | unknown[];
    const depth = (depths.pop() as number) + 1;
    if (Array.isArray(value)) {
      for (const child of value) if (visit(child, depth)) return true;
    } else {
      // for..in over a parsed object: own keys only (JSON.parse makes no inherited ones), no array
      for (const key in value) if (visit(value[key], depth)) return true;
    }
  }
  return false;
}

/**
 * The 400 for a body nested past MAX_JSON_DEPTH, in OpenAI's error shape, as the real API answers
 * such a body (an invalid request, not a server error). The sim must not try it: rendering the
 * prompt and echoing the request in the response (JSON.stringify) and reading a `text.format`
 * schema (json-schema-faker, zod) recurse, and would run out of stack.
 */
export function tooDeepError(what: string): SimHttpError {
  return badRequest(`${what} nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep.`);
}

/** The 400 when a parsed body nests past MAX_JSON_DEPTH, else null. */
export function depthProblem(json: unknown, what: string): SimHttpError | null {
  return nestsDeeperThan(json, MAX_JSON_DEPTH) ? tooDeepError(what) : null;
}
