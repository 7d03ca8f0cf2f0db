import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JsonlAppender } from './jsonl-file.js';
/** Writes one run's folder: run.json, samples.jsonl, turns.jsonl, events.jsonl. */
export class ResultsWriter {
    dir;
    samples;
    turns;
    events;
    constructor(dir) {
        this.dir = dir;
        mkdirSync(dir, { recursive: true });
        this.samples = new JsonlAppender(join(dir, 'samples.jsonl'));
        this.turns = new JsonlAppender(join(dir, 'turns.jsonl'));
        this.events = new JsonlAppender(join(dir, 'events.jsonl'));
    }
    writeManifest(manifest) {
        const path = join(this.dir, 'run.json');
        writeFileSync(`${path}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
        renameSync(`${path}.tmp`, path);
    }
    readManifest() {
        return JSON.parse(readFileSync(join(this.dir, 'run.json'), 'utf8'));
    }
    turn(record) {
        this.turns.append(record);
    }
    event(record) {
        this.events.append(record);
    }
    sample(record) {
        this.samples.append(record);
    }
    close() {
        this.samples.close();
        this.turns.close();
        this.events.close();
    }
}
//# sourceMappingURL=results-writer.js.map