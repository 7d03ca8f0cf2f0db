import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { SampleRow } from '../../../src/report/aggregate.js';
import { inertCell, writeSamplesCsv } from '../../../src/report/csv.js';

describe('CSV cells a spreadsheet would run', () => {
  it.each([
    ['=HYPERLINK("http://x","y")', `'=HYPERLINK("http://x","y")`],
    ['+1+1', `'+1+1`],
    ['-2+3', `'-2+3`],
    ['@SUM(A1)', `'@SUM(A1)`],
    ['\t=1', `'\t=1`],
    ['agent exited 1', 'agent exited 1'],
    ['', ''],
  ])('%j is written as %j', (text, written) => {
    expect(inertCell(text)).toBe(written);
  });

  it("samples.csv keeps an error message's formula inert and numbers as numbers", async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tb-csv-')), 'samples.csv');
    const row = {
      sample_id: 's1',
      task_id: 't',
      variant: 'v',
      epoch: 1,
      status: 'error',
      passed: false,
      turns: 2,
      input_tokens: 10,
      cached_tokens: -1,
      error: "=cmd|' /C calc'!A0",
    } as unknown as SampleRow;
    await writeSamplesCsv(file, [row]);
    const [written] = parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(written?.error).toBe("'=cmd|' /C calc'!A0");
    expect(written?.cached_tokens).toBe('-1');
    expect(written?.sample_id).toBe('s1');
  });
});
