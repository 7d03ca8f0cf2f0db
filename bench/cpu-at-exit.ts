/**
 * Preloaded with `node --import` by the start-up benchmark: when it exits, writes its CPU time (user +
 * system, all threads, from process start) as JSON to the file named by TURNBENCH_BENCH_CPU_FILE, and
 * with TURNBENCH_BENCH_COUNT_MODULES=1 also the modules the process loaded (and the npm packages they
 * came from); else those are null.
 */
import { writeFileSync } from 'node:fs';
import module from 'node:module';
import { getHeapStatistics } from 'node:v8';

let modules = 0;
const packages = new Set<string>();
// Counting goes through a module hook on every load, which costs CPU per module: it is switched on
// only for the untimed run that counts (TURNBENCH_BENCH_COUNT_MODULES=1), never for a timed one.
const register =
  process.env.TURNBENCH_BENCH_COUNT_MODULES === '1'
    ? (module as { registerHooks?: (hooks: object) => unknown }).registerHooks
    : undefined;
register?.({
  load(url: string, context: unknown, next: (url: string, context: unknown) => unknown) {
    if (!url.startsWith('node:')) modules += 1;
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (match?.[1]) packages.add(match[1]);
    return next(url, context);
  },
});

process.on('exit', () => {
  const file = process.env.TURNBENCH_BENCH_CPU_FILE;
  if (!file) return;
  const cpu = process.cpuUsage();
  writeFileSync(
    file,
    JSON.stringify({
      cpu_user_us: cpu.user,
      cpu_system_us: cpu.system,
      modules: register ? modules : null,
      packages: register ? [...packages].sort() : null,
      max_rss_kb: process.resourceUsage().maxRSS,
      heap_limit_mb: Math.round(getHeapStatistics().heap_size_limit / 1024 / 1024),
      exec_argv: process.execArgv,
    }),
  );
});
