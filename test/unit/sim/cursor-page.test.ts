import { describe, expect, it } from 'vitest';
import { cursorPage, UnknownCursor } from '../../../src/sim/util/cursor-page.js';

const items = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id }));
const page = (q: Partial<Parameters<typeof cursorPage>[2]>) =>
  cursorPage(items, (i) => i.id, { after: null, before: null, limit: 20, order: 'asc', ...q });
const ids = (p: ReturnType<typeof page>) => p.data.map((i) => i.id).join('');

describe('cursorPage', () => {
  it('puts the items in order and cuts the first `limit`', () => {
    expect(page({})).toEqual({ object: 'list', data: items, first_id: 'a', last_id: 'e', has_more: false });
    const desc = page({ order: 'desc', limit: 2 });
    expect(ids(desc)).toBe('ed');
    expect(desc).toMatchObject({ first_id: 'e', last_id: 'd', has_more: true });
    expect(page({ limit: 5 }).has_more).toBe(false);
  });

  it('reads on after `after`, in the order asked for', () => {
    expect(ids(page({ after: 'b', limit: 2 }))).toBe('cd');
    expect(page({ after: 'b', limit: 2 }).has_more).toBe(true);
    expect(page({ after: 'c', limit: 2 }).has_more).toBe(false);
    expect(ids(page({ order: 'desc', after: 'd' }))).toBe('cba');
    const end = page({ after: 'e' });
    expect(end).toEqual({ object: 'list', data: [], first_id: null, last_id: null, has_more: false });
  });

  it('with `before`, takes the `limit` items nearest to it, and has_more says more lie further back', () => {
    const p = page({ before: 'e', limit: 2 });
    expect(ids(p)).toBe('cd');
    expect(p.has_more).toBe(true);
    expect(page({ before: 'c', limit: 2 }).has_more).toBe(false);
    expect(ids(page({ order: 'desc', before: 'b', limit: 2 }))).toBe('dc');
    expect(ids(page({ before: 'a' }))).toBe('');
  });

  it('with both cursors, lists what lies between them', () => {
    expect(ids(page({ after: 'a', before: 'e' }))).toBe('bcd');
    expect(ids(page({ after: 'a', before: 'e', limit: 1 }))).toBe('b');
    expect(ids(page({ after: 'd', before: 'b' }))).toBe('');
  });

  it('names the cursor that is not in the list', () => {
    expect(() => page({ after: 'zz' })).toThrow(UnknownCursor);
    try {
      page({ after: 'a', before: 'zz' });
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ param: 'before', id: 'zz' });
    }
  });
});
