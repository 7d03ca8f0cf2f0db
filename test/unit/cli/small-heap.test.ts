import { describe, expect, it } from 'vitest';
import { SMALL_HEAP_ENV, smallHeapFlags } from '../../../src/cli/small-heap.js';

const MB = 1024 * 1024;
const flagsFor = (limitMb: number, execArgv: string[] = [], env: Record<string, string> = {}) =>
  smallHeapFlags({ heapSizeLimit: limitMb * MB, execArgv, env });

describe('smallHeapFlags', () => {
  it('gives a 128 MB old space (heap limit 320 MB with V8 young generation) a 16 MB semi-space and 100% growth', () => {
    expect(flagsFor(320, ['--max-old-space-size=128'])).toEqual([
      '--max-semi-space-size=16',
      '--heap-growing-percent=100',
    ]);
  });

  it('sizes the semi-space in proportion to the limit, as a power of two, at least 1 MB', () => {
    const semi = (limitMb: number) => flagsFor(limitMb)?.[0];
    expect(semi(16)).toBe('--max-semi-space-size=1');
    expect(semi(256)).toBe('--max-semi-space-size=16');
    expect(semi(704)).toBe('--max-semi-space-size=32');
    expect(semi(1023)).toBe('--max-semi-space-size=32');
  });

  it('leaves a heap of 1 GB or more as V8 sized it', () => {
    expect(flagsFor(1024)).toBeNull();
    expect(flagsFor(4288)).toBeNull();
  });

  it('keeps a tuning flag the user gave, on the command line or in NODE_OPTIONS, in any spelling', () => {
    for (const execArgv of [
      ['--max-semi-space-size=4'],
      ['--max_semi_space_size=4'],
      ['--min-semi-space-size=2'],
      ['--heap-growing-percent=50'],
    ]) {
      expect(flagsFor(320, execArgv)).toBeNull();
    }
    expect(
      flagsFor(320, [], { NODE_OPTIONS: '--max-old-space-size=128 --max-semi-space-size=8' }),
    ).toBeNull();
  });

  it('never starts again once the flags it adds are on the command line', () => {
    const first = flagsFor(320, ['--max-old-space-size=128']);
    expect(first).not.toBeNull();
    expect(flagsFor(176, ['--max-old-space-size=128', ...first!])).toBeNull();
  });

  it(`is turned off by ${SMALL_HEAP_ENV}=0`, () => {
    expect(flagsFor(320, [], { [SMALL_HEAP_ENV]: '0' })).toBeNull();
    expect(flagsFor(320, [], { [SMALL_HEAP_ENV]: '1' })).not.toBeNull();
  });
});
