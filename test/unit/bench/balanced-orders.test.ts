import { describe, expect, it } from 'vitest';
import { balancedOrders } from '../../../bench/util.js';

describe('balancedOrders (the proxy benchmark sends each turn down its paths in these orders)', () => {
  it.each([2, 3, 4, 5, 6])(
    'with %i paths, each path follows every other equally often and takes each place equally often',
    (n) => {
      const orders = balancedOrders(n);
      const follows = new Map<string, number>();
      const places = new Map<string, number>();
      for (const order of orders) {
        expect([...order].sort()).toEqual(Array.from({ length: n }, (_, i) => i));
        for (const [place, path] of order.entries()) {
          places.set(`${path}@${place}`, (places.get(`${path}@${place}`) ?? 0) + 1);
        }
        for (let k = 1; k < order.length; k++) {
          const pair = `${order[k - 1]}>${order[k]}`;
          follows.set(pair, (follows.get(pair) ?? 0) + 1);
        }
      }
      expect(follows.size).toBe(n * (n - 1));
      expect(new Set(follows.values()).size).toBe(1);
      expect(places.size).toBe(n * n);
      expect(new Set(places.values()).size).toBe(1);
    },
  );
});
