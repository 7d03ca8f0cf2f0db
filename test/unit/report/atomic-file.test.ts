import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeAtomically, writeTextAtomically } from '../../../src/report/atomic-file.js';
import { writeSamplesCsv } from '../../../src/report/index.js';

describe('report files are written whole or not at all', () => {
  it('replaces a file whole and leaves no temporary file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-atomic-'));
    const file = join(dir, 'report.md');
    writeFileSync(file, 'old');
    await writeTextAtomically(file, 'new text');
    expect(readFileSync(file, 'utf8')).toBe('new text');
    expect(readdirSync(dir)).toEqual(['report.md']);
  });

  it('keeps the previous file when the write fails half-way', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-atomic-'));
    const file = join(dir, 'turns.csv');
    writeFileSync(file, 'a,b\n1,2\n');
    const failing = writeAtomically(file, async (temp) => {
      await appendFile(temp, 'a,b\n');
      throw new Error('disk full');
    });
    await expect(failing).rejects.toThrow('disk full');
    expect(readFileSync(file, 'utf8')).toBe('a,b\n1,2\n');
    expect(readdirSync(dir)).toEqual(['turns.csv']);
  });

  it('concurrent writers of one file: the last whole, never a mix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-atomic-'));
    const file = join(dir, 'report.html');
    const texts = Array.from({ length: 16 }, (_, i) =>
      String.fromCharCode(97 + i).repeat(256 * 1024 - i * 4096),
    );
    await Promise.all(texts.map((text) => writeTextAtomically(file, text)));
    expect(texts).toContain(readFileSync(file, 'utf8'));
    expect(readdirSync(dir)).toEqual(['report.html']);
  });

  it('a CSV is written through a temporary file too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-atomic-'));
    const file = join(dir, 'samples.csv');
    expect(await writeSamplesCsv(file, [])).toBe(0);
    expect(readFileSync(file, 'utf8').startsWith('sample_id,task_id,variant')).toBe(true);
    expect(readdirSync(dir)).toEqual(['samples.csv']);
  });
});
