import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VariantSchema } from '../../../src/config/index.js';
import {
  expandSamples,
  type LoadedSuite,
  loadSuite,
  loadTask,
  sampleIdFor,
} from '../../../src/tasks/index.js';
import { expectConfigError, fixtures } from './helpers.js';

const validSuite = path.join(fixtures, 'valid/suite.yaml');

describe('expandSamples', () => {
  it('interleaves variants within each task, tasks within each epoch', async () => {
    const suite = await loadSuite(validSuite);
    const samples = expandSamples(suite);
    expect(samples.map((s) => [s.epoch, s.task.id, s.variant.name])).toEqual([
      [1, 'alpha', 'stable'],
      [1, 'alpha', 'unstable'],
      [1, 'beta', 'stable'],
      [1, 'beta', 'unstable'],
      [2, 'alpha', 'stable'],
      [2, 'alpha', 'unstable'],
      [2, 'beta', 'stable'],
      [2, 'beta', 'unstable'],
    ]);
    expect(samples[0]!.sampleId).toBe('alpha__stable__e1');
    expect(samples[7]!.sampleId).toBe('beta__unstable__e2');
    expect(new Set(samples.map((s) => s.sampleId)).size).toBe(samples.length);
    expect(samples[0]!.task).toBe(suite.tasks[0]);
    expect(samples[1]!.variant).toBe(suite.spec.variants[1]);
  });

  it('is deterministic across loads', async () => {
    const a = expandSamples(await loadSuite(validSuite)).map((s) => s.sampleId);
    const b = expandSamples(await loadSuite(validSuite)).map((s) => s.sampleId);
    expect(a).toEqual(b);
  });

  it('filters variants and tasks and overrides epochs', async () => {
    const suite = await loadSuite(validSuite);
    const samples = expandSamples(suite, { variants: ['unstable'], tasks: ['beta'], epochs: 3 });
    expect(samples.map((s) => s.sampleId)).toEqual([
      'beta__unstable__e1',
      'beta__unstable__e2',
      'beta__unstable__e3',
    ]);
  });

  it('rejects unknown variant and task names and bad epochs', async () => {
    const suite = await loadSuite(validSuite);
    const variant = await expectConfigError(
      Promise.resolve().then(() => expandSamples(suite, { variants: ['nope'] })),
    );
    expect(variant.message).toContain('no variant "nope" (variants: stable, unstable)');
    const task = await expectConfigError(
      Promise.resolve().then(() => expandSamples(suite, { tasks: ['gamma'] })),
    );
    expect(task.message).toContain('no task "gamma"');
    const epochs = await expectConfigError(Promise.resolve().then(() => expandSamples(suite, { epochs: 0 })));
    expect(epochs.field).toBe('epochs');
  });

  it('selects every row of a dataset task by its base id and keeps ids path-safe', async () => {
    const suite = await loadSuite(validSuite);
    const withDataset: LoadedSuite = {
      ...suite,
      tasks: [...suite.tasks, ...(await loadTask(path.join(fixtures, 'dataset')))],
    };
    const samples = expandSamples(withDataset, { tasks: ['add'], variants: ['stable'], epochs: 1 });
    expect(samples.map((s) => s.sampleId)).toEqual([
      'add~small__stable__e1',
      'add~medium__stable__e1',
      'add~large__stable__e1',
    ]);
    for (const s of samples) expect(s.sampleId).toMatch(/^[A-Za-z0-9._~-]+$/);
  });

  it('refuses two (task, variant) pairs that would share a sample id', async () => {
    const suite = await loadSuite(validSuite);
    const variant = (name: string) => VariantSchema.parse({ name, instructions: 'x' });
    const alpha = suite.tasks[0]!;
    const clashing: LoadedSuite = {
      ...suite,
      spec: { ...suite.spec, variants: [variant('x__y'), variant('y')] },
      tasks: [
        { ...alpha, id: 'a' },
        { ...alpha, id: 'a__x' },
      ],
    };
    const error = await expectConfigError(Promise.resolve().then(() => expandSamples(clashing)));
    expect(error.message).toContain('sample id "a__x__y__e1"');
  });
});

describe('sampleIdFor', () => {
  it('replaces the slash of dataset ids', () => {
    expect(sampleIdFor('add/row-1', 'stable', 2)).toBe('add~row-1__stable__e2');
  });
});
