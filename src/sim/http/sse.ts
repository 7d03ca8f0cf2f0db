import type { ServerResponse } from 'node:http';
import type { LatencyPlan } from '../behaviour/latency.js';
import { sleep } from '../util/sleep.js';

export interface PacedEvent {
  /** SSE `event:` name; omitted for Chat Completions chunks. */
  name: string | null;
  data: unknown;
  /** Output tokens this event carries (paced by the decode rate). */
  outputTokens: number;
  /** The first event that carries output: time to first token is waited before it. */
  firstOutput: boolean;
}

export interface StreamPlan {
  latency: LatencyPlan;
  /** Destroy the socket after this many events (a cut stream); null = send all. */
  cutAfter: number | null;
  /** Trailer after the last event (Chat Completions' `[DONE]`). */
  done: string | null;
}

export function isPaced(latency: LatencyPlan): boolean {
  return latency.ttftMs > 0 || latency.perOutputTokenMs > 0;
}

/** The simulated time before `e` goes out: time to first token before the first output, then decode time. */
export function waitBefore(e: PacedEvent, latency: LatencyPlan): number {
  const decode = e.outputTokens * latency.perOutputTokenMs;
  return e.firstOutput ? decode + latency.ttftMs : decode;
}

function frame(e: PacedEvent): string {
  const data = `data: ${JSON.stringify(e.data)}\n\n`;
  return e.name ? `event: ${e.name}\n${data}` : data;
}

/**
 * Write SSE events. Without latency the whole stream is written in one go (cheap at high
 * concurrency); with latency, events are flushed as their simulated time arrives.
 */
export async function writeSse(res: ServerResponse, events: PacedEvent[], plan: StreamPlan): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const limit = plan.cutAfter ?? events.length;
  if (!isPaced(plan.latency)) {
    let out = '';
    for (let i = 0; i < limit; i++) out += frame(events[i] as PacedEvent);
    if (plan.cutAfter !== null) {
      res.write(out, () => res.destroy());
      return;
    }
    res.end(plan.done ? out + plan.done : out);
    return;
  }
  for (let i = 0; i < limit; i++) {
    if (res.destroyed) return;
    const e = events[i] as PacedEvent;
    await sleep(waitBefore(e, plan.latency));
    res.write(frame(e));
  }
  if (plan.cutAfter !== null) {
    res.destroy();
    return;
  }
  res.end(plan.done ?? undefined);
}
