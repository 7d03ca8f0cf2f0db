import { describe, expect, it } from 'vitest';
import { SuiteSchema } from '../../../src/config/index.js';
import { declaredVariantOrder, runVariantOrder } from '../../../src/report/summary.js';

const variants = [{ name: 'stable' }, { name: 'timestamp' }, { name: 'tool-dropped' }];

describe('the suite’s baseline_variant: the reference every report compares against', () => {
  it('comes first in the run’s variant order; the others keep the suite’s order', () => {
    expect(declaredVariantOrder({ variants, baseline_variant: 'timestamp' })).toEqual([
      'timestamp',
      'stable',
      'tool-dropped',
    ]);
    expect(declaredVariantOrder({ variants })).toEqual(['stable', 'timestamp', 'tool-dropped']);
    // a run.json written before the field was read, or naming a variant the run does not have
    expect(declaredVariantOrder({ variants, baseline_variant: 'gone' })).toEqual([
      'stable',
      'timestamp',
      'tool-dropped',
    ]);
  });

  it('stays first within a --variant selection that includes it', () => {
    const suite = { variants, baseline_variant: 'tool-dropped' };
    expect(runVariantOrder({ suite, selection: { variants: ['stable', 'tool-dropped'] } })).toEqual([
      'tool-dropped',
      'stable',
    ]);
    expect(runVariantOrder({ suite, selection: { variants: ['timestamp', 'stable'] } })).toEqual([
      'stable',
      'timestamp',
    ]);
  });

  it('must name one of the suite’s variants', () => {
    const parsed = SuiteSchema.safeParse({
      name: 's',
      tasks: ['t'],
      variants: [
        { name: 'a', instructions: 'x' },
        { name: 'b', instructions: 'x' },
      ],
      baseline_variant: 'c',
    });
    expect(parsed.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['baseline_variant', '"c" is none of the variants (a, b)'],
    ]);
  });
});
