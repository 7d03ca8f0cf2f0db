import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { assertBuilt, REPO } from './helpers.js';

const execFileAsync = promisify(execFile);
const outdir = mkdtempSync(join(tmpdir(), 'tb-bundle-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** scripts/bundle-cli.mjs, as `npm run build` runs it, into a folder of the test's own. */
async function bundleInto(dir: string): Promise<void> {
  await execFileAsync(process.execPath, [join(REPO, 'scripts/bundle-cli.mjs'), dir], { cwd: REPO });
}

describe('the CLI bundle build', () => {
  it("keeps an earlier build's chunks for a day, for a run that started before the rebuild", async () => {
    assertBuilt();
    mkdirSync(outdir, { recursive: true });
    const hour = 3600;
    const now = Date.now() / 1000;
    const plant = (name: string, ageSeconds: number) => {
      writeFileSync(join(outdir, name), 'export {};\n');
      utimesSync(join(outdir, name), now - ageSeconds, now - ageSeconds);
    };
    plant('chunk-FROMANHOURAGO.js', hour);
    plant('chunk-FROMTWODAYSAGO.js', 48 * hour);
    await bundleInto(outdir);
    const files = readdirSync(outdir);
    expect(files).toContain('program.js');
    expect(files).toContain('record-worker.js');
    expect(files).toContain('chunk-FROMANHOURAGO.js');
    expect(files).not.toContain('chunk-FROMTWODAYSAGO.js');
  }, 120_000);

  it('leaves a dynamically imported CommonJS package to Node, which gives its named exports', () => {
    // `const { create } = await import('xmlbuilder2')` (report --junit): bundled, it would get only `default`.
    const code = readdirSync(outdir)
      .filter((name) => name.endsWith('.js'))
      .map((name) => readFileSync(join(outdir, name), 'utf8'))
      .join('\n');
    expect(code).toContain('import("xmlbuilder2")');
    expect(code).not.toContain('node_modules/xmlbuilder2/lib/');
    expect(existsSync(join(outdir, 'program.js'))).toBe(true);
  });
});
