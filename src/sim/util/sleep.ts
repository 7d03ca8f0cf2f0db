import { setTimeout as delay } from 'node:timers/promises';
import { timerDelay } from '../../config/bounds.js';

/** Waits `ms` (a simulated latency); a delay past Node's timer limit waits the limit, not 1 ms. */
export async function sleep(ms: number): Promise<void> {
  if (ms > 0) await delay(timerDelay(ms));
}
