import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { countBounded } from '../src/tokens/index.js';
import { round } from './util.js';

const MB = 1 << 20;
const PLAIN = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };

function letters(n: number, alphabet: string, seed: number): string {
  let state = seed >>> 0;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    state = (state * 1664525 + 1013904223) >>> 0;
    out.push(alphabet[state % alphabet.length]!);
  }
  return out.join('');
}

function timed<T>(work: () => T): { ms: number; value: T } {
  const started = performance.now();
  const value = work();
  return { ms: round(performance.now() - started), value };
}

/**
 * Token counting of hostile and ordinary megabytes (issue 12, finding 5): the bounded counter on
 * 1 MB without whitespace against the plain library on 1 MB of prose (its ordinary speed), and
 * the library on only 64 KB without whitespace (1 MB would take many minutes).
 */
export async function benchTokens(): Promise<Record<string, unknown>> {
  let root = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(root, 'package.json')) && dirname(root) !== root) root = dirname(root);
  const prose = ['README.md', 'src/runner/run.ts', 'src/config/schema.ts', 'docs/reports.md']
    .map((f) => readFileSync(join(root, f), 'utf8'))
    .join('\n');
  const proseMb = prose.repeat(Math.ceil(MB / prose.length)).slice(0, MB);
  const run = letters(MB, 'abcdefghijklmnopqrstuvwxyz', 1);
  const cjk = letters(MB / 3, '漢字の日本語中文한국어', 2);

  const libraryProse = timed(() => countTokens(proseMb, PLAIN));
  const boundedProse = timed(() => countBounded(proseMb));
  const boundedRun = timed(() => countBounded(run));
  const boundedCjk = timed(() => countBounded(cjk));
  const library64k = timed(() => countTokens(run.slice(0, 64 * 1024), PLAIN));
  return {
    bench: 'token_counting',
    library_ms_1mb_prose: libraryProse.ms,
    bounded_ms_1mb_prose: boundedProse.ms,
    bounded_error_pct_1mb_prose: round(
      (100 * (boundedProse.value - libraryProse.value)) / libraryProse.value,
    ),
    bounded_ms_1mb_no_whitespace: boundedRun.ms,
    bounded_ms_1mb_cjk_run: boundedCjk.ms,
    library_ms_64kb_no_whitespace: library64k.ms,
    ratio_bounded_1mb_run_vs_library_1mb_prose: round(boundedRun.ms / libraryProse.ms),
  };
}
