import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { loadPricing } from '../../../src/config/index.js';
import { ingestLogs } from '../../../src/ingest/index.js';
import { fixture } from './helpers.js';

const NAME = 'rollout-2026-12-02T12-19-37-01a236b2-32a7-7a53-bace-83dd19d2874b.jsonl';

describe('compressed logs', () => {
  test('*.jsonl.gz files are not read, and one warning says how many were left out', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tb-gz-'));
    const day = join(root, 'sessions', '2026', '12', '02');
    mkdirSync(day, { recursive: true });
    copyFileSync(fixture('v0.47-resume', NAME), join(day, NAME));
    writeFileSync(join(day, 'rollout-2026-12-01T10-00-00-a.jsonl.gz'), gzipSync('{}\n'));
    writeFileSync(join(day, 'rollout-2026-12-01T11-00-00-b.jsonl.gz'), gzipSync('{}\n'));
    const warnings: string[] = [];
    const result = await ingestLogs({
      inputs: [join(root, 'sessions')],
      runId: 'gz',
      resultsDir: join(root, 'results'),
      groupBy: 'session',
      range: { from: null, to: null },
      since: null,
      until: null,
      pricing: await loadPricing(),
      onWarning: (m) => warnings.push(m),
    });
    expect(result.stats.turns).toBe(2);
    expect(warnings).toEqual([
      '2 compressed logs (*.jsonl.gz) not read: ingest reads uncompressed .jsonl only (gunzip them first)',
    ]);
  });
});
