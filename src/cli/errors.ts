import { ZodError } from 'zod';
import { printable, redact } from '../secrets/index.js';

/**
 * Exit codes: 1 a failed command or gate, 2 bad input (config, flags), 3 a run stopped by its cost
 * budget, 130 interrupted.
 */
export const EXIT = { ok: 0, failed: 1, badInput: 2, budget: 3, interrupted: 130 } as const;

export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Errors that are the user's input, told apart by name: the modules that define them (config,
 * model, report) are loaded by the commands that need them, not by every command.
 */
const INPUT_ERRORS = new Set([
  'ConfigError',
  'ProviderConfigError',
  'RunNotFoundError',
  'SampleNotFoundError',
]);

/** One line for the user; a stack only with TURNBENCH_DEBUG=1. */
export function reportFatal(error: unknown): number {
  if (process.env.TURNBENCH_DEBUG === '1' && error instanceof Error)
    process.stderr.write(`${redact(error.stack ?? '')}\n`);
  if (error instanceof UsageError || (error instanceof Error && INPUT_ERRORS.has(error.name))) {
    process.stderr.write(`error: ${printable(redact(error.message))}\n`);
    return EXIT.badInput;
  }
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    process.stderr.write(
      `error: ${printable(issue ? `${issue.path.join('.')}: ${issue.message}` : error.message)}\n`,
    );
    return EXIT.badInput;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${printable(redact(message))}\n`);
  return EXIT.failed;
}
