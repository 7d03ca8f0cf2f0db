import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  EventRecordSchema,
  RunManifestSchema,
  SampleRecordSchema,
  TurnRecordSchema,
} from '../../../src/telemetry/index.js';
import { fixtureSpecs, writeRun } from '../../fixtures/runs/generate.js';

/**
 * The committed fixture runs under test/fixtures/runs/ are the generator's output. This test keeps them
 * honest: every line parses with the results contract, and the generator gives the same records.
 * Regenerate after a deliberate change with: UPDATE_FIXTURES=1 npx vitest run test/unit/report/fixtures.test.ts
 */
const FIXTURES = join(import.meta.dirname, '../../fixtures/runs');
const tmp = mkdtempSync(join(tmpdir(), 'turnbench-fixtures-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function writeAll(dir: string): void {
  const { base, cand } = fixtureSpecs();
  writeRun(dir, base, { tornTail: true });
  writeRun(dir, cand);
}

if (process.env.UPDATE_FIXTURES === '1') writeAll(FIXTURES);

const SCHEMAS = {
  'samples.jsonl': SampleRecordSchema,
  'turns.jsonl': TurnRecordSchema,
  'events.jsonl': EventRecordSchema,
};

/** Records of a JSONL file as the contract reads them (defaults of fields added later filled in). */
function parsedLines(file: string, schema: (typeof SCHEMAS)[keyof typeof SCHEMAS]): unknown[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{') && l.endsWith('}'))
    .map((l) => schema.parse(JSON.parse(l)));
}

describe('committed fixture runs', () => {
  it('hold the records the generator produces', () => {
    writeAll(tmp);
    for (const run of ['fixture-base', 'fixture-cand']) {
      expect(readdirSync(join(FIXTURES, run)).sort()).toEqual(readdirSync(join(tmp, run)).sort());
      const manifest = (dir: string) =>
        RunManifestSchema.parse(JSON.parse(readFileSync(join(dir, run, 'run.json'), 'utf8')));
      expect(manifest(FIXTURES)).toEqual(manifest(tmp));
      for (const [file, schema] of Object.entries(SCHEMAS)) {
        expect(parsedLines(join(FIXTURES, run, file), schema), `${run}/${file}`).toEqual(
          parsedLines(join(tmp, run, file), schema),
        );
      }
    }
  });

  it('parse with the results contract (a torn last line only in the crash fixture)', () => {
    for (const run of ['fixture-base', 'fixture-cand']) {
      RunManifestSchema.parse(JSON.parse(readFileSync(join(FIXTURES, run, 'run.json'), 'utf8')));
      for (const [file, schema] of Object.entries(SCHEMAS)) {
        const text = readFileSync(join(FIXTURES, run, file), 'utf8');
        const lines = text.split('\n');
        const last = lines.pop() ?? '';
        for (const line of lines) schema.parse(JSON.parse(line));
        if (run === 'fixture-base' && file !== 'events.jsonl') {
          expect(() => JSON.parse(last)).toThrow();
        } else {
          expect(last).toBe('');
        }
      }
    }
  });
});
