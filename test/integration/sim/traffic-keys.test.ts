import { afterEach, expect, test } from 'vitest';
import { UNKNOWN_PATH } from '../../../src/sim/http/server.js';
import type { SimServer } from '../../../src/sim/index.js';
import { startSim } from './helpers.js';

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
});

test('requests to paths the sim does not serve share one traffic key, however many paths there are', async () => {
  ({ sim } = await startSim({ seed: 1 }));
  for (let i = 0; i < 40; i++) {
    const res = await fetch(`${sim.url}/made-up-${i}?x=${i}`, {
      method: i % 2 ? 'POST' : 'GET',
      body: i % 2 ? '{}' : null,
    });
    expect(res.status).toBe(404);
    await res.text();
  }
  const models = await fetch(`${sim.url}/models`);
  expect(models.status).toBe(200);
  await models.text();
  expect(sim.traffic.http).toEqual({
    [`GET ${UNKNOWN_PATH}`]: 20,
    [`POST ${UNKNOWN_PATH}`]: 20,
    'GET /v1/models': 1,
  });
});
