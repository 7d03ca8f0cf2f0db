/** Small helpers shared by the benchmark entry and the runner benchmark. */

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? 0;
}

export function megabytes(bytes: number): number {
  return round(bytes / (1024 * 1024), 1);
}

/** Runs a full collection when node was started with --expose-gc; returns whether it could. */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return false;
  gc();
  return true;
}

export interface MemoryPeaks {
  peak_rss_mb: number;
  peak_heap_used_mb: number;
}

/** Samples RSS and heap on an interval while a piece of work runs and keeps the peaks. */
export class MemorySampler {
  private peakRss = 0;
  private peakHeap = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 25) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    const usage = process.memoryUsage();
    this.peakRss = Math.max(this.peakRss, usage.rss);
    this.peakHeap = Math.max(this.peakHeap, usage.heapUsed);
  }

  stop(): MemoryPeaks {
    this.sample();
    clearInterval(this.timer);
    return { peak_rss_mb: megabytes(this.peakRss), peak_heap_used_mb: megabytes(this.peakHeap) };
  }
}

/**
 * Live heap as a piece of work runs: every `intervalMs` a full collection, then the heap in use, so
 * garbage not yet collected is not counted (needs --expose-gc; without it, null figures). The work
 * must yield to the event loop now and then (streamed file reads do).
 */
export class LiveHeapSampler {
  private readonly before: number | null;
  private peak = 0;
  private readonly samples: number[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 250) {
    this.before = collectGarbage() ? process.memoryUsage().heapUsed : null;
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    if (!collectGarbage()) return;
    const used = process.memoryUsage().heapUsed;
    this.peak = Math.max(this.peak, used);
    this.samples.push(used);
  }

  stop(): { heap_before_mb: number | null; live_heap_peak_mb: number | null; live_heap_samples: number } {
    clearInterval(this.timer);
    this.sample();
    return {
      heap_before_mb: this.before === null ? null : megabytes(this.before),
      live_heap_peak_mb: this.before === null ? null : megabytes(this.peak),
      live_heap_samples: this.samples.length,
    };
  }
}

export function errorSummary(error: unknown): { name: string; message: string; stack?: string } {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  }
  return { name: 'Error', message: String(error) };
}

/**
 * The orders the paths go in, turn after turn (a Williams design): each path goes first, second...
 * equally often, and each follows every other equally often. A path pays for what the one before
 * it left running (the recording proxy reads its request in its recording thread after answering),
 * so a plain rotation, where each path always follows the same one, would charge one path for
 * another's work.
 */
export function balancedOrders(n: number): number[][] {
  const base: number[] = [];
  for (let k = 0, lo = 0, hi = n - 1; k < n; k++) base.push(k % 2 === 0 ? lo++ : hi--);
  // base: 0, n-1, 1, n-2...: differences between neighbours cover 1..n-1 once each (n even)
  const rows = Array.from({ length: n }, (_, r) => base.map((b) => (b + r) % n));
  return n % 2 === 0 ? rows : [...rows, ...rows.map((row) => [...row].reverse())];
}
