import type { ServerResponse } from 'node:http';
import type * as z from 'zod';

/** An error answered in OpenAI's body format: `{ error: { message, type, param, code } }`. */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string = 'invalid_request_error',
    readonly code: string | null = null,
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function badRequest(
  message: string,
  param: string | null = null,
  code: string | null = null,
): SimHttpError {
  return new SimHttpError(400, message, 'invalid_request_error', code, param);
}

/**
 * A 400 naming the first invalid field. `explain` may give a better message for a path
 * (union members such as input items).
 */
export function fromZod(
  error: z.ZodError,
  what: string,
  explain?: (path: PropertyKey[]) => string | undefined,
): SimHttpError {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  const message = (issue && explain?.(issue.path)) ?? issue?.message ?? 'invalid';
  return badRequest(`Invalid ${what}: ${path ? `'${path}': ` : ''}${message}`, path || null);
}

export function errorBody(err: SimHttpError): string {
  return JSON.stringify({
    error: { message: err.message, type: err.type, param: err.param, code: err.code },
  });
}

export function sendError(res: ServerResponse, err: SimHttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorBody(err);
  res.writeHead(err.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...err.headers,
  });
  res.end(body);
}

export function faultError(status: 429 | 500 | 503, retryAfterS: number): SimHttpError {
  if (status === 429) {
    return new SimHttpError(
      429,
      'Rate limit reached (simulated). Please retry after the time in the Retry-After header.',
      'requests',
      'rate_limit_exceeded',
      null,
      { 'retry-after': String(retryAfterS), 'retry-after-ms': String(Math.round(retryAfterS * 1000)) },
    );
  }
  if (status === 503) {
    // the real API's overload answer; Codex tells it apart by this code (a model at capacity)
    return new SimHttpError(
      503,
      'The server is overloaded (simulated). Please try again later.',
      'service_unavailable_error',
      'server_is_overloaded',
    );
  }
  return new SimHttpError(
    500,
    'The server had an error while processing your request (simulated).',
    'server_error',
  );
}
