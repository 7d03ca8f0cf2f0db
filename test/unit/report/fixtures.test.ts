import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EventRecordSchema, RunManifestSchema, SampleRecordSchema, TurnRecordSchema } from '../../../src/telemetry/index.js';
import { fixtureSpecs, writeRun } from '../../fixtures/runs/generate.js';

/**
 * The committed fixture runs under test/fixtures/runs/ are the generator's output. This test keeps them
 * honest: every line parses with the results contract, and regenerating gives the same bytes.
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

describe('committed fixture runs', () => {
  it('match what the generator produces', () => {
    writeAll(tmp);
    for (const run of ['fixture-base', 'fixture-cand']) {
      for (const file of readdirSync(join(tmp, run))) {
        expect(readFileSync(join(FIXTURES, run, file), 'utf8'), `${run}/${file}`).toBe(readFileSync(join(tmp, run, file), 'utf8'));
      }
    }
  });

  it('parse with the results contract (a torn last line only in the crash fixture)', () => {
    const schemas = { 'samples.jsonl': SampleRecordSchema, 'turns.jsonl': TurnRecordSchema, 'events.jsonl': EventRecordSchema };
    for (const run of ['fixture-base', 'fixture-cand']) {
      RunManifestSchema.parse(JSON.parse(readFileSync(join(FIXTURES, run, 'run.json'), 'utf8')));
      for (const [file, schema] of Object.entries(schemas)) {
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
