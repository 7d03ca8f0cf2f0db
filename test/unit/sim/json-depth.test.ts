import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from '../../../src/sim/http/json-depth.js';

const chain = (levels: number, leaf: unknown = {}) =>
  JSON.parse(`${'['.repeat(levels - 1)}${JSON.stringify(leaf)}${']'.repeat(levels - 1)}`);

describe('nestsDeeperThan', () => {
  it('counts the value itself as level 1, arrays and objects alike; scalars nest nothing', () => {
    expect(nestsDeeperThan({}, 1)).toBe(false);
    expect(nestsDeeperThan({ a: {} }, 1)).toBe(true);
    expect(nestsDeeperThan({ a: [1, 'x', null] }, 2)).toBe(false);
    expect(nestsDeeperThan({ a: [1, [2]] }, 2)).toBe(true);
    expect(nestsDeeperThan('a string', 0)).toBe(false);
    expect(nestsDeeperThan(null, 0)).toBe(false);
    expect(nestsDeeperThan({}, 0)).toBe(true);
  });

  it('finds the one deep branch among wide shallow ones, at the exact bound', () => {
    const wide = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, { v: [i] }]));
    expect(nestsDeeperThan({ ...wide, deep: chain(999) }, 1000)).toBe(false);
    expect(nestsDeeperThan({ ...wide, deep: chain(1000) }, 1000)).toBe(true);
  });

  it('never looks into strings: brackets inside a text are not nesting', () => {
    expect(nestsDeeperThan({ text: '{'.repeat(5000) + '['.repeat(5000) }, 2)).toBe(false);
  });

  it('walks 1,000,000 levels without recursion and stops at the bound', () => {
    // V8's JSON.parse does not recurse, so this is the shape a hostile body arrives in
    const deep = JSON.parse(`${'{"a":'.repeat(1_000_000)}{}${'}'.repeat(1_000_000)}`);
    expect(nestsDeeperThan(deep, 1000)).toBe(true);
    expect(nestsDeeperThan(deep, 2_000_000)).toBe(false);
  });
});
