import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { redact } from '../secrets/index.js';
import { JsonlAppender } from './jsonl-file.js';
import type { EventRecord, RunManifest, SampleRecord, TurnRecord } from './records.js';

export interface RecordSink {
  turn(record: TurnRecord): void;
  event(record: EventRecord): void;
}

/**
 * Writes one run's folder: run.json, samples.jsonl, turns.jsonl, events.jsonl. Every record is
 * redacted on its way to disk (src/secrets): a provider error that echoes the API key, or a
 * prompt diff holding one, never reaches a results file.
 */
export class ResultsWriter implements RecordSink {
  private readonly samples: JsonlAppender;
  private readonly turns: JsonlAppender;
  private readonly events: JsonlAppender;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    // Lines are redacted as JSON text: a replacement holds no quote or backslash, and the
    // credential shapes contain none, so the line stays valid JSON.
    this.samples = new JsonlAppender(join(dir, 'samples.jsonl'), redact);
    this.turns = new JsonlAppender(join(dir, 'turns.jsonl'), redact);
    this.events = new JsonlAppender(join(dir, 'events.jsonl'), redact);
  }

  writeManifest(manifest: RunManifest): void {
    const path = join(this.dir, 'run.json');
    writeFileSync(`${path}.tmp`, `${redact(JSON.stringify(manifest, null, 2))}\n`);
    renameSync(`${path}.tmp`, path);
  }

  readManifest(): unknown {
    return JSON.parse(readFileSync(join(this.dir, 'run.json'), 'utf8'));
  }

  turn(record: TurnRecord): void {
    this.turns.append(record);
  }

  event(record: EventRecord): void {
    this.events.append(record);
  }

  sample(record: SampleRecord): void {
    this.samples.append(record);
  }

  close(): void {
    this.samples.close();
    this.turns.close();
    this.events.close();
  }
}
