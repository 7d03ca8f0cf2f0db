import * as z from 'zod';

/**
 * Strings that reach the operating system: a process argument, an environment variable's name
 * or value, a file path. The kernel ends each of these at a NUL byte, so Node refuses them at the
 * call ("must be a string without null bytes") and Docker's runtime fails the exec: a NUL in such a
 * field would end a sample in error at run time. The schemas refuse it when the file is loaded,
 * naming the field. Text that only travels inside a request body or a file's content (instructions,
 * inline file content, a sim script's tool arguments, which stand for model output) may hold one.
 */

const NO_NUL = /^[^\0]*$/;

export const NUL_DETAIL =
  'holds a NUL byte (\\0), which no process argument, environment value or path can carry';

/** Whether `text` can be handed to the operating system (it holds no NUL byte). */
export function isOsString(text: string): boolean {
  return !text.includes('\0');
}

/** A string for a process argument, an environment entry or a path (a regex, so the JSON Schema has it too). */
export function osString() {
  return z.string().regex(NO_NUL, NUL_DETAIL);
}

/** Environment variables for a process: names and values both reach the kernel. */
export function osEnv() {
  return z.record(osString(), osString());
}
