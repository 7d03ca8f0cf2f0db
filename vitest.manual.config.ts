import { defineConfig } from 'vitest/config';

/** Checks that need more than CI has (a second Docker engine); see test/manual/. */
export default defineConfig({
  test: { include: ['test/manual/**/*.check.ts'], testTimeout: 300_000, pool: 'forks' },
});
