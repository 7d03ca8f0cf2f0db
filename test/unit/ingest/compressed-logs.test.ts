import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { fixture, ingestAll } from './helpers.js';

const NAME = 'rollout-2026-12-02T12-19-37-01a236b2-32a7-7a53-bace-83dd19d2874b.jsonl';

describe('compressed logs', () => {
  test('*.jsonl.gz files are not read, and one warning says how many were left out', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tb-gz-'));
    const day = join(root, 'sessions', '2026', '12', '02');
    mkdirSync(day, { recursive: true });
    copyFileSync(fixture('v0.47-resume', NAME), join(day, NAME));
    writeFileSync(join(day, 'rollout-2026-12-01T10-00-00-a.jsonl.gz'), gzipSync('{}\n'));
    writeFileSync(join(day, 'rollout-2026-12-01T11-00-00-b.jsonl.gz'), gzipSync('{}\n'));
    const { result, warnings } = await ingestAll([join(root, 'sessions')], join(root, 'results'), 'gz');
    expect(result.stats.turns).toBe(2);
    expect(warnings).toEqual([
      '2 compressed logs (*.jsonl.gz) not read: ingest reads uncompressed .jsonl only (gunzip them first)',
    ]);
  });
});
