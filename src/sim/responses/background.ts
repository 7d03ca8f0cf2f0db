import type { Response } from 'openai/resources/responses/responses';
import type { StoredResponse } from './store.js';

/**
 * The response before it has output: `queued` (a background create's answer), `in_progress` (a
 * stream's opening events, a background response being polled) or `cancelled`. Everything else
 * is the finished response's, so a replayed stream is the one first sent.
 */
export function pendingSnapshot(final: Response, status: 'queued' | 'in_progress' | 'cancelled'): Response {
  return {
    ...final,
    status,
    completed_at: null,
    incomplete_details: null,
    output: [],
    output_text: '',
    usage: null as unknown as Response['usage'],
  };
}

/**
 * What the response is at `now`. A background response has been `queued` by its create; it is
 * `in_progress` until its simulated latency has passed and finished from then on (so a client
 * polling with no latency configured sees it finished at its first retrieve); a cancelled one
 * stays `cancelled`.
 */
export function responseAt(entry: StoredResponse, now: number): Response {
  const run = entry.background;
  if (!run || run.cancelled || now >= run.readyAt) return entry.response;
  return pendingSnapshot(entry.response, 'in_progress');
}

/** Whether a background response is still running at `now` (it can be cancelled). */
export function isRunning(entry: StoredResponse, now: number): boolean {
  const run = entry.background;
  return run !== null && !run.cancelled && now < run.readyAt;
}
