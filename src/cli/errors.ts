import { ZodError } from 'zod';
import { ConfigError } from '../config/index.js';
import { ProviderConfigError } from '../model/index.js';
import { redact } from '../secrets/index.js';

/**
 * Exit codes: 1 a failed command or gate, 2 bad input (config, flags), 3 a run stopped by its cost
 * budget, 130 interrupted.
 */
export const EXIT = { ok: 0, failed: 1, badInput: 2, budget: 3, interrupted: 130 } as const;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** One line for the user; a stack only with TURNBENCH_DEBUG=1. */
export function reportFatal(error: unknown): number {
  if (process.env.TURNBENCH_DEBUG === '1' && error instanceof Error)
    process.stderr.write(`${redact(error.stack ?? '')}\n`);
  const inputError =
    error instanceof Error && (error.name === 'RunNotFoundError' || error.name === 'SampleNotFoundError');
  if (
    inputError ||
    error instanceof ConfigError ||
    error instanceof ProviderConfigError ||
    error instanceof UsageError
  ) {
    process.stderr.write(`error: ${redact(error.message)}\n`);
    return EXIT.badInput;
  }
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    process.stderr.write(`error: ${issue ? `${issue.path.join('.')}: ${issue.message}` : error.message}\n`);
    return EXIT.badInput;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${redact(message)}\n`);
  return EXIT.failed;
}
