import { createRequire } from 'node:module';
import type CliProgress from 'cli-progress';
import { printable, redact } from '../secrets/index.js';
import type { SampleRecord } from '../telemetry/index.js';

/** Progress of a run, always on stderr so stdout stays clean for tables and --json. */
export interface ProgressReporter {
  start(total: number): void;
  info(line: string): void;
  sampleFinished(record: SampleRecord): void;
  stop(): void;
}

function sampleLine(r: SampleRecord): string {
  const verdict = r.status !== 'completed' ? r.status.toUpperCase() : r.passed ? 'pass' : 'FAIL';
  const hit =
    r.cached_tokens !== null && r.input_tokens > 0
      ? `${Math.round((100 * r.cached_tokens) / r.input_tokens)}%`
      : 'n/a';
  const error = r.error ? `  ${r.error.kind}: ${r.error.message}` : '';
  return forTerminal(
    `${verdict.padEnd(9)} ${r.sample_id}  ${r.turns} turns  cached ${hit}  ${(r.wall_ms / 1000).toFixed(1)}s${error}`,
  );
}

/** A line of progress as the terminal may show it: no secrets, no control characters. */
function forTerminal(line: string): string {
  return printable(redact(line));
}

/** One line per finished sample: logs, CI, pipes. */
export class LineProgress implements ProgressReporter {
  private done = 0;
  private total = 0;
  constructor(private readonly out: NodeJS.WritableStream = process.stderr) {}
  start(total: number): void {
    this.total = total;
    this.out.write(`running ${total} samples\n`);
  }
  info(line: string): void {
    this.out.write(`${forTerminal(line)}\n`);
  }
  sampleFinished(record: SampleRecord): void {
    this.done += 1;
    this.out.write(`[${this.done}/${this.total}] ${sampleLine(record)}\n`);
  }
  stop(): void {}
}

/** A live bar on a terminal; failures, errors and notices are logged as lines above it. */
export class BarProgress implements ProgressReporter {
  // Loaded for a terminal only (the CommonJS library, synchronously): line progress needs none of it.
  private readonly lib = createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
  private readonly multi = new this.lib.MultiBar(
    {
      format:
        ' {bar} {value}/{total} samples | pass {passed} fail {failed} err {errors} | eta {eta_formatted}',
      hideCursor: true,
      clearOnComplete: false,
      stream: process.stderr,
    },
    this.lib.Presets.shades_classic,
  );
  private bar: CliProgress.SingleBar | null = null;
  private readonly counts = { passed: 0, failed: 0, errors: 0 };

  start(total: number): void {
    this.bar = this.multi.create(total, 0, this.counts);
  }
  info(line: string): void {
    if (this.bar) this.multi.log(`${forTerminal(line)}\n`);
    else process.stderr.write(`${forTerminal(line)}\n`);
  }
  sampleFinished(record: SampleRecord): void {
    if (record.status === 'skipped') {
      this.bar?.increment(1, this.counts);
      return;
    }
    if (record.status === 'error' || record.status === 'timeout') this.counts.errors += 1;
    else if (record.passed) this.counts.passed += 1;
    else this.counts.failed += 1;
    if (!record.passed) this.multi.log(`${sampleLine(record)}\n`);
    this.bar?.increment(1, this.counts);
  }
  stop(): void {
    this.multi.stop();
  }
}

export function progressFor(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  return stream.isTTY ? new BarProgress() : new LineProgress(stream);
}
