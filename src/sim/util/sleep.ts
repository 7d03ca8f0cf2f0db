import { setTimeout as delay } from 'node:timers/promises';

export async function sleep(ms: number): Promise<void> {
  if (ms > 0) await delay(ms);
}
