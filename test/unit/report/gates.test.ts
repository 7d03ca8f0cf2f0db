import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareRuns, GateSyntaxError, parseGates } from '../../../src/report/index.js';

const RUNS = join(import.meta.dirname, '../../fixtures/runs');

describe('parseGates', () => {
  it('parses the documented example', () => {
    expect(parseGates('cache_hit_rate<-2pp, pass_rate<-5pp,cost_usd>+10%')).toEqual([
      { metric: 'cache_hit_rate', op: '<', threshold: -2, unit: 'pp', source: 'cache_hit_rate<-2pp' },
      { metric: 'pass_rate', op: '<', threshold: -5, unit: 'pp', source: 'pass_rate<-5pp' },
      { metric: 'cost_usd', op: '>', threshold: 10, unit: 'percent', source: 'cost_usd>+10%' },
    ]);
    expect(parseGates('errors>=1')[0]).toMatchObject({
      metric: 'errors',
      op: '>=',
      threshold: 1,
      unit: 'absolute',
    });
  });
  it.each([
    ['', /empty/],
    ['cache_hit_rate<<2pp', /expected <metric><op><number>/],
    ['speed>2', /unknown metric "speed"/],
    ['cost_usd>2pp', /pp .* only to pass_rate and cache_hit_rate/],
    ['pass_rate<-5pp;cost_usd>1', /bad gate/],
  ])('rejects %j with a clear message', (expr, message) => {
    expect(() => parseGates(expr)).toThrow(GateSyntaxError);
    expect(() => parseGates(expr)).toThrow(message);
  });
});

/*
 * fixture-base -> fixture-cand, hand-computed:
 *   stable: hit rate 0.48 -> 9984/25600 = 0.39 (-9pp); pass 5/6 -> 4/6 (-16.7pp);
 *           cost 0.027176 -> (15,616 x 1.25 + 9984 x 0.125 + 9000) / 1e6 = 0.029768 (+9.54%)
 *   unstable: hit 0 -> 0; pass 3/6 -> 4/6 (+16.7pp); cost 0.041 -> 0.041
 */
describe('gates over the fixture runs', () => {
  const base = join(RUNS, 'fixture-base');
  const cand = join(RUNS, 'fixture-cand');
  it('fails on the hit-rate drop and the pass-rate drop of the stable variant only', async () => {
    const r = await compareRuns(base, cand, parseGates('cache_hit_rate<-2pp,pass_rate<-5pp,cost_usd>+10%'));
    expect(r.failed).toBe(true);
    const failed = r.gates.filter((g) => g.failed).map((g) => `${g.gate}@${g.variant}`);
    expect(failed).toEqual(['cache_hit_rate<-2pp@stable', 'pass_rate<-5pp@stable']);
    const hit = r.gates.find((g) => g.gate === 'cache_hit_rate<-2pp' && g.variant === 'stable');
    expect(hit?.delta).toBeCloseTo(-9, 10);
    const cost = r.gates.find((g) => g.gate === 'cost_usd>+10%' && g.variant === 'stable');
    expect(cost?.delta).toBeCloseTo((0.029768 / 0.027176 - 1) * 100, 8);
    expect(cost?.failed).toBe(false);
  });
  it('passes with looser thresholds, and a tighter cost gate catches the +9.5%', async () => {
    expect((await compareRuns(base, cand, parseGates('cache_hit_rate<-10pp,pass_rate<-20pp'))).failed).toBe(
      false,
    );
    const r = await compareRuns(base, cand, parseGates('cost_usd>+5%'));
    expect(r.gates.map((g) => [g.variant, g.failed])).toEqual([
      ['stable', true],
      ['unstable', false],
    ]);
  });
  it('no gates: never failed', async () => {
    expect((await compareRuns(base, cand)).failed).toBe(false);
  });
});
