/** The query of a cursor-paginated list (`GET /v1/responses/{id}/input_items`). */
export interface CursorQuery {
  /** An item id: only the items that come after it in `order`. */
  after: string | null;
  /** An item id: only the items that come before it in `order` (the `limit` nearest to it). */
  before: string | null;
  limit: number;
  order: 'asc' | 'desc';
}

/** One page of a list, as the API sends it; ids are null on an empty page. */
export interface CursorPage<T> {
  object: 'list';
  data: T[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/** Which cursor named an id the list does not hold. */
export class UnknownCursor extends Error {
  constructor(
    readonly param: 'after' | 'before',
    readonly id: string,
  ) {
    super(`No item with id '${id}' in this list.`);
  }
}

/**
 * One page of `items` (oldest first): put in `order`, cut to what lies after `after` and before
 * `before`, then `limit` items, the first ones (or, with only `before`, the ones nearest to it).
 * `has_more` says whether items lie beyond the page on the side it was read towards.
 */
export function cursorPage<T>(items: readonly T[], idOf: (item: T) => string, q: CursorQuery): CursorPage<T> {
  const ordered = q.order === 'asc' ? items.slice() : items.slice().reverse();
  const indexOf = (param: 'after' | 'before', id: string): number => {
    const at = ordered.findIndex((item) => idOf(item) === id);
    if (at === -1) throw new UnknownCursor(param, id);
    return at;
  };
  const from = q.after !== null ? indexOf('after', q.after) + 1 : 0;
  const to = q.before !== null ? indexOf('before', q.before) : ordered.length;
  const window = from < to ? ordered.slice(from, to) : [];
  const towardsStart = q.before !== null && q.after === null;
  const data = towardsStart ? window.slice(Math.max(0, window.length - q.limit)) : window.slice(0, q.limit);
  const first = data[0];
  const last = data.at(-1);
  return {
    object: 'list',
    data,
    first_id: first === undefined ? null : idOf(first),
    last_id: last === undefined ? null : idOf(last),
    has_more: data.length < window.length,
  };
}
