import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { globSync } from 'tinyglobby';
import { beforeAll, describe, expect, it } from 'vitest';
import { configJsonSchemaText } from '../../../src/config/index.js';
import { readSamples } from '../../../src/report/index.js';
import { assertBuilt, runCli, turnbenchContainers } from './helpers.js';

/** `turnbench init <dir> && turnbench run <dir>/suite.yaml`, offline, as the README promises. */
describe('turnbench init', () => {
  const work = mkdtempSync(join(tmpdir(), 'tb-init-'));
  const dir = join(work, 'starter');

  beforeAll(() => assertBuilt());

  it('writes the starter suite and prints the next three commands', async () => {
    const out = await runCli(['init', dir]);
    expect(out.code, out.stderr).toBe(0);
    expect(existsSync(join(dir, 'suite.yaml'))).toBe(true);
    const next = (out.stdout.split('next:\n')[1]?.trim().split('\n') ?? []).map((l) => l.trim());
    expect(next).toHaveLength(3);
    expect(next[0]).toMatch(
      new RegExp(`^turnbench run ${dir.replaceAll('/', '\\/')}/suite\\.yaml --run-id first-run `),
    );
    expect(next[1]).toMatch(/^turnbench report first-run /);
    expect(next[2]).toMatch(/^turnbench inspect first-run --sample word-count~poem__timestamp__e1 /);
  });

  it('every YAML file names a schema that exists beside it and is the current one', () => {
    const files = globSync(['**/*.yaml'], { cwd: dir, absolute: true });
    expect(files.length).toBe(2);
    for (const file of files) {
      const line = readFileSync(file, 'utf8').split('\n')[0] ?? '';
      const target = /^# yaml-language-server: \$schema=(\S+)$/.exec(line)?.[1];
      expect(target, file).toBeDefined();
      const schema = resolve(dirname(file), target ?? '');
      const kind = file.endsWith('suite.yaml') ? 'suite' : 'task';
      expect(readFileSync(schema, 'utf8')).toBe(configJsonSchemaText(kind));
    }
  });

  it('runs green offline at once (Docker sandboxes, the sim), and the layouts differ in cache hits', async () => {
    const results = join(work, 'results');
    const out = await runCli(
      ['run', join(dir, 'suite.yaml'), '--results-dir', results, '--run-id', 'first-run', '--json'],
      {
        timeoutMs: 280_000,
      },
    );
    expect(out.code, out.stderr.slice(-3000)).toBe(0);
    const summary = JSON.parse(out.stdout) as {
      status: string;
      variants: { variant: string; pass_rate: number; cache_hit_rate: number }[];
    };
    expect(summary.status).toBe('completed');
    expect(summary.variants.map((v) => v.variant)).toEqual(['stable', 'timestamp']);
    for (const v of summary.variants) expect(v.pass_rate, v.variant).toBe(1);
    const [stable, timestamp] = summary.variants;
    expect(stable?.cache_hit_rate).toBeGreaterThan(0.3);
    expect(timestamp?.cache_hit_rate).toBe(0);
    const samples = (await readSamples(join(results, 'first-run'))).samples;
    expect([...samples.keys()].sort()).toEqual([
      'word-count~notes__stable__e1',
      'word-count~notes__timestamp__e1',
      'word-count~poem__stable__e1',
      'word-count~poem__timestamp__e1',
    ]);
    expect(await turnbenchContainers('first-run')).toEqual([]);
  }, 300_000);

  it('refuses a folder that is not empty, unless --force', async () => {
    const busy = join(work, 'busy');
    await runCli(['init', busy]);
    writeFileSync(join(busy, 'mine.txt'), 'keep me');
    const refused = await runCli(['init', busy]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe(
      `error: ${busy} is not empty; pass --force to write the starter files into it anyway`,
    );
    const forced = await runCli(['init', busy, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(busy, 'mine.txt'), 'utf8')).toBe('keep me');
  });
});
