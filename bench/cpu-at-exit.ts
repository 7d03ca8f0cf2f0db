/**
 * Preloaded with `node --import` by the start-up benchmark: counts the modules the process loads
 * and, when it exits, writes its CPU time (user + system, all threads, from process start) and the
 * module count (and the npm packages they came from) as JSON to the file named by TURNBENCH_BENCH_CPU_FILE.
 */
import { writeFileSync } from 'node:fs';
import module from 'node:module';

let modules = 0;
const packages = new Set<string>();
const register = (module as { registerHooks?: (hooks: object) => unknown }).registerHooks;
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
    }),
  );
});
