import { describe, expect, it } from 'vitest';
import { WarmPool } from '../../../src/runner/warm-pool.js';
import type { Sandbox, SandboxProvider, SandboxSpec } from '../../../src/sandbox/index.js';

/** A provider that only counts: how many sandboxes are alive now, and the most ever alive. */
function countingProvider() {
  const state = { live: 0, peak: 0, created: [] as string[], failNext: false };
  const provider: SandboxProvider = {
    kind: 'local',
    async create(spec: SandboxSpec): Promise<Sandbox> {
      if (state.failNext) {
        state.failNext = false;
        throw new Error('engine hiccup');
      }
      state.live += 1;
      state.peak = Math.max(state.peak, state.live);
      const sample = spec.labels['turnbench.sample'] ?? '?';
      state.created.push(sample);
      let gone = false;
      return {
        id: sample,
        workdir: '/w',
        exec: async () => ({
          exitCode: 0,
          stdout: '',
          stderr: '',
          timedOut: false,
          truncated: false,
          durationMs: 0,
        }),
        spawn: async () => {
          throw new Error('not used');
        },
        readFile: async () => '',
        writeFile: async () => {},
        putFiles: async () => {},
        endProcesses: async () => {},
        destroy: async () => {
          if (!gone) state.live -= 1;
          gone = true;
        },
      };
    },
    ensureImage: async () => 'img',
    removeByLabels: async () => 0,
  };
  return { provider, state };
}

const spec = (sample: string): SandboxSpec => ({
  image: 'img',
  workdir: '/w',
  files: [],
  labels: { 'turnbench.run': 'r', 'turnbench.sample': sample },
  limits: { memoryMb: 64, cpus: 1, pids: 16 },
  network: false,
});

describe('warm sandbox pool', () => {
  it('hands a prefetched sandbox to its own sample', async () => {
    const { provider, state } = countingProvider();
    const pool = new WarmPool(provider, 2, 4);
    expect(pool.prefetch('a', spec('a'))).toBe(true);
    const taken = await pool.take('a', spec('a'));
    expect(taken.warm).toBe(true);
    expect(taken.sandbox.id).toBe('a');
    expect(state.created).toEqual(['a']);
    const cold = await pool.take('b', spec('b'));
    expect(cold.warm).toBe(false);
  });

  it('never holds more than its size, nor lets running + warm pass the sandbox limit', async () => {
    const { provider, state } = countingProvider();
    const pool = new WarmPool(provider, 2, 3);
    const running = [await pool.take('r1', spec('r1')), await pool.take('r2', spec('r2'))];
    expect(pool.prefetch('w1', spec('w1'))).toBe(true);
    expect(pool.prefetch('w2', spec('w2'))).toBe(false); // 2 running + 1 warm = the limit of 3
    await running[0]!.sandbox.destroy();
    pool.release();
    expect(pool.prefetch('w2', spec('w2'))).toBe(true);
    expect(pool.prefetch('w3', spec('w3'))).toBe(false); // the pool's own size
    await new Promise((r) => setTimeout(r, 0));
    expect(state.peak).toBeLessThanOrEqual(3);
  });

  it('retries a failed warm create when the sample takes it, and removes untaken ones on drain', async () => {
    const { provider, state } = countingProvider();
    const pool = new WarmPool(provider, 2, 4);
    state.failNext = true;
    pool.prefetch('a', spec('a'));
    pool.prefetch('b', spec('b'));
    const a = await pool.take('a', spec('a'));
    expect(a.warm).toBe(false);
    expect(a.sandbox.id).toBe('a');
    await pool.drain();
    expect(pool.warmCount).toBe(0);
    expect(state.live).toBe(1); // only a is alive: b's warm sandbox was removed
  });
});
