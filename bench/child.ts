/**
 * Runs one benchmark in its own process (forked by index.ts with --expose-gc), so each one starts
 * from a clean heap, its memory peaks are its own, and a crash takes down only that benchmark.
 * The figures or the error go back over the IPC channel.
 */
import * as z from 'zod';
import type { ChildMessage } from './protocol.js';
import { BENCH_NAMES, BENCHMARKS } from './registry.js';
import { errorSummary } from './util.js';

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) {
      reject(new Error('bench/child.js must be started by bench/index.js (no IPC channel)'));
      return;
    }
    process.send(message, (error: Error | null) => (error ? reject(error) : resolve()));
  });
}

const name = z.enum(BENCH_NAMES).parse(process.argv[2]);
let message: ChildMessage;
try {
  message = { ok: true, figures: await BENCHMARKS[name].run() };
} catch (error) {
  message = { ok: false, error: errorSummary(error) };
}
await send(message);
process.disconnect?.();
