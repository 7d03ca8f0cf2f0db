import type { core, ZodType } from 'zod';

const parsedBefore = new WeakSet<object>();
// Shared, so the parses on hot paths (each record, each turn's usage) allocate nothing for them.
const FIRST_PARSE: core.ParseContext<core.$ZodIssue> = Object.freeze({ jitless: true });
const LATER_PARSE: core.ParseContext<core.$ZodIssue> = Object.freeze({});

/**
 * Parse options for a schema at an input boundary: the first parse of a schema in this process
 * goes without zod's compiled fast path, later ones with it. zod generates (`new Function`) and
 * V8 compiles a fast path for an object schema on its first parse; for a file read once (the suite,
 * a task, the pricing table, a run's manifest) that costs more than it saves. A 1-sample run made
 * 21 of them, ~8 ms of its ~200 ms of CPU (interleaved runs with and without); a schema parsed
 * again, such as each record of a results file or each turn's usage, gets its fast path at its
 * second parse.
 */
export function parseOptions(schema: ZodType): core.ParseContext<core.$ZodIssue> {
  if (parsedBefore.has(schema)) return LATER_PARSE;
  parsedBefore.add(schema);
  return FIRST_PARSE;
}
