import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { bundleIsCurrent, programEntry } from '../../../src/cli/program-entry.js';

describe('bundleIsCurrent', () => {
  it('takes the bundle only when it exists and is no older than the compiled program', () => {
    expect(bundleIsCurrent(null, 100)).toBe(false);
    expect(bundleIsCurrent(null, null)).toBe(false);
    expect(bundleIsCurrent(100, 100)).toBe(true);
    expect(bundleIsCurrent(101, 100)).toBe(true);
    expect(bundleIsCurrent(99, 100)).toBe(false);
    expect(bundleIsCurrent(5, null)).toBe(true);
  });
});

describe('programEntry', () => {
  let root = '';
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** dist/src/cli/main.js with its compiled program, and a bundle written at `bundleAt` (seconds). */
  function layout(compiledAt: number, bundleAt: number | null): string {
    root = mkdtempSync(join(tmpdir(), 'tb-entry-'));
    mkdirSync(join(root, 'cli'));
    writeFileSync(join(root, 'cli', 'program.js'), '');
    utimesSync(join(root, 'cli', 'program.js'), compiledAt, compiledAt);
    if (bundleAt !== null) {
      mkdirSync(join(root, 'bundle'));
      writeFileSync(join(root, 'bundle', 'program.js'), '');
      utimesSync(join(root, 'bundle', 'program.js'), bundleAt, bundleAt);
    }
    return pathToFileURL(join(root, 'cli', 'main.js')).href;
  }

  it('loads the bundle built after the compiled program', () => {
    const main = layout(1000, 1001);
    expect(programEntry(main)).toBe(pathToFileURL(join(root, 'bundle', 'program.js')).href);
  });

  it('loads the compiled program when tsc wrote it after the bundle (a stale bundle)', () => {
    const main = layout(1002, 1001);
    expect(programEntry(main)).toBe(pathToFileURL(join(root, 'cli', 'program.js')).href);
  });

  it('loads the compiled program when there is no bundle', () => {
    const main = layout(1000, null);
    expect(programEntry(main)).toBe(pathToFileURL(join(root, 'cli', 'program.js')).href);
  });
});
