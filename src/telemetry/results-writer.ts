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

/**
 * Writes one run's folder: run.json, samples.jsonl, turns.jsonl, events.jsonl. Every record is
 * redacted on its way to disk (src/secrets): a provider error that echoes the API key, or a
 * prompt diff holding one, never reaches a results file.
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

  private append(file: JsonlAppender, record: unknown): void {
    if (this.failure) return;
    try {
      file.append(record);
    } catch (error) {
      this.failure = writeErrorOf(file.path, error);
      this.onFailure(this.failure);
    }
  }

  turn(record: TurnRecord): void {
    this.append(this.turns, record);
  }

  event(record: EventRecord): void {
    this.append(this.events, record);
  }

  sample(record: SampleRecord): void {
    this.append(this.samples, record);
  }

  close(): void {
    this.samples.close();
    this.turns.close();
    this.events.close();
    this.giveUpReserve();
  }
}
