import { randomBytes } from 'node:crypto';

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

/**
 * The id the real API gives every answer in its `x-request-id` header (`req_` and 32 hex digits);
 * clients name it in their errors (the SDK's `request_id`, Codex's "request id: …").
 */
export function newRequestId(): string {
  return `req_${randomBytes(16).toString('hex')}`;
}

export const REQUEST_ID_HEADER = 'x-request-id';

export function nowSeconds(nowMs: number): number {
  return Math.floor(nowMs / 1000);
}
