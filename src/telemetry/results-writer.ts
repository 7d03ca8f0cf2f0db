import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { redact } from '../secrets/index.js';
import { ensureDir } from './ensure-dir.js';
import { JsonlAppender, type ResultsWriteError, writeErrorOf } from './jsonl-file.js';
import type { EventRecord, RunManifest, SampleRecord, TurnRecord } from './records.js';

export interface RecordSink {
  turn(record: TurnRecord): void;
  event(record: EventRecord): void;
}

/** Space held back in the run folder so the final run.json can be written on a full disk. */
export const RESERVE_FILE = '.reserve';
const MIN_RESERVE_BYTES = 64 * 1024;

/** Turn and event lines of samples still running reach the disk at least this often. */
export const FLUSH_INTERVAL_MS = 1000;

/**
 * A finished sample's lines reach the disk within this time: samples that finish closer together
 * share one write per file. Single-turn samples against a fast provider finish every millisecond or
 * so, and three writes for each were the largest single cost of the harness's own work per sample
 * (~11 us of ~120 us in CPU profiles with the model stubbed out).
 */
export const SAMPLE_FLUSH_MS = 50;

/**
 * Writes one run's folder: run.json, samples.jsonl, turns.jsonl, events.jsonl. Every record is
 * redacted on its way to disk (src/secrets): a provider error that echoes the API key, or a
 * prompt diff holding one, never reaches a results file.
 *
 * Lines are buffered and written in batches, turns and events before sample lines, so a sample
 * line on disk always has its records there too: within SAMPLE_FLUSH_MS of a sample finishing,
 * every FLUSH_INTERVAL_MS, and when a buffer grows large. A sample's `onWritten` is called once its
 * line is on disk, so what a run reports as finished is never lost: a crash (kill -9) loses at most
 * the records of samples still running or not yet reported, which a resume runs again.
 *
 * A record that cannot be written (a full disk, a folder gone read-only) does not throw into the
 * sample that produced it: the writer records the first failure, tells `onFailure` once, and drops
 * every later record, so the run can stop cleanly and a resume reruns what was lost. A small
 * reserve file is kept while the run is open and given up to write the final run.json.
 */
export class ResultsWriter implements RecordSink {
  private readonly samples: JsonlAppender;
  private readonly turns: JsonlAppender;
  private readonly events: JsonlAppender;
  private readonly reserve: string;
  private reserveBytes = 0;
  private failure: ResultsWriteError | null = null;
  private readonly timer: NodeJS.Timeout;
  /** Armed while finished samples wait for their write (SAMPLE_FLUSH_MS). */
  private sampleTimer: NodeJS.Timeout | null = null;
  private lastFlush = Number.NEGATIVE_INFINITY;
  /** Called once the sample lines buffered so far are on disk. */
  private written: Array<() => void> = [];

  constructor(
    readonly dir: string,
    private readonly onFailure: (error: ResultsWriteError) => void = () => {},
  ) {
    ensureDir(dir);
    this.reserve = join(dir, RESERVE_FILE);
    this.holdReserve(MIN_RESERVE_BYTES);
    // Lines are redacted as JSON text: a replacement holds no quote or backslash, and the
    // credential shapes contain none, so the line stays valid JSON.
    this.samples = new JsonlAppender(join(dir, 'samples.jsonl'), redact);
    this.turns = new JsonlAppender(join(dir, 'turns.jsonl'), redact);
    this.events = new JsonlAppender(join(dir, 'events.jsonl'), redact);
    this.timer = setInterval(() => this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /** The first write that failed, if one did. */
  get failed(): ResultsWriteError | null {
    return this.failure;
  }

  private holdReserve(bytes: number): void {
    if (bytes <= this.reserveBytes) return;
    try {
      writeFileSync(this.reserve, Buffer.alloc(bytes));
      this.reserveBytes = bytes;
    } catch (error) {
      throw writeErrorOf(this.reserve, error);
    }
  }

  private giveUpReserve(): boolean {
    if (this.reserveBytes === 0) return false;
    rmSync(this.reserve, { force: true });
    this.reserveBytes = 0;
    return true;
  }

  /** Writes run.json atomically; on a full disk, frees the reserve and tries once more. Throws ResultsWriteError. */
  writeManifest(manifest: RunManifest): void {
    const path = join(this.dir, 'run.json');
    const text = `${redact(JSON.stringify(manifest, null, 2))}\n`;
    const attempt = () => {
      try {
        writeFileSync(`${path}.tmp`, text);
        renameSync(`${path}.tmp`, path);
      } catch (error) {
        rmSync(`${path}.tmp`, { force: true });
        throw writeErrorOf(path, error);
      }
    };
    try {
      attempt();
    } catch (error) {
      if (!this.giveUpReserve()) throw error;
      attempt();
      return;
    }
    // Enough held back for a final run.json as large as this one, with room to grow.
    if (this.reserveBytes > 0) this.holdReserve(Math.max(MIN_RESERVE_BYTES, 2 * Buffer.byteLength(text)));
  }

  readManifest(): unknown {
    return JSON.parse(readFileSync(join(this.dir, 'run.json'), 'utf8'));
  }

  private fail(path: string, error: unknown): void {
    this.failure = writeErrorOf(path, error);
    this.onFailure(this.failure);
  }

  private append(file: JsonlAppender, record: unknown): void {
    if (this.failure) return;
    try {
      file.append(record);
    } catch (error) {
      this.fail(file.path, error);
    }
  }

  turn(record: TurnRecord): void {
    this.append(this.turns, record);
  }

  event(record: EventRecord): void {
    this.append(this.events, record);
  }

  /**
   * A finished sample: its line is written within SAMPLE_FLUSH_MS (at once when nothing was written
   * for that long), after every turn and event line buffered before it; then `onWritten` is called.
   */
  sample(record: SampleRecord, onWritten?: () => void): void {
    this.append(this.samples, record);
    if (onWritten) this.written.push(onWritten);
    if (this.sampleTimer !== null) return;
    const wait = this.lastFlush + SAMPLE_FLUSH_MS - performance.now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    this.sampleTimer = setTimeout(() => this.flush(), wait);
    this.sampleTimer.unref();
  }

  /** Every buffered line to disk, events and turns before samples; then the written samples' callbacks. */
  flush(): void {
    if (this.sampleTimer !== null) {
      clearTimeout(this.sampleTimer);
      this.sampleTimer = null;
    }
    this.lastFlush = performance.now();
    for (const file of [this.events, this.turns, this.samples]) {
      if (this.failure) break;
      try {
        file.flush();
      } catch (error) {
        this.fail(file.path, error);
      }
    }
    const written = this.written;
    this.written = [];
    // Lines a failed write dropped are not on disk: their samples are not reported.
    if (!this.failure) for (const callback of written) callback();
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
    for (const file of [this.events, this.turns, this.samples]) {
      // After a failed write nothing more is written: a sample line without its turns would lie.
      if (this.failure) file.drop();
      try {
        file.close();
      } catch (error) {
        if (!this.failure) this.fail(file.path, error);
      }
    }
    this.giveUpReserve();
  }
}
