import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as z from 'zod';

/** What cpu-at-exit.js writes when a process it was preloaded into exits. */
export const ExitFiguresSchema = z.object({
  cpu_user_us: z.number(),
  cpu_system_us: z.number(),
  modules: z.number().nullable(),
  packages: z.array(z.string()).nullable(),
  max_rss_kb: z.number(),
  heap_limit_mb: z.number(),
  exec_argv: z.array(z.string()),
});
export type ExitFigures = z.infer<typeof ExitFiguresSchema>;

export interface MeasuredProcess extends ExitFigures {
  cpu_ms: number;
  wall_ms: number;
  stdout: string;
}

/**
 * Runs `node <args>` preloaded with cpu-at-exit.js (whole-process CPU, every thread, from exec to
 * exit; a process that replaces itself with execve keeps its pid and its CPU count, and the preload
 * comes along in its execArgv) and rejects unless it exits 0. `args` are node's: flags, then the script;
 * `unset` names variables of this process's environment the child must not inherit.
 */
export function measureProcess(
  dir: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  unset: readonly string[] = [],
): Promise<MeasuredProcess> {
  const file = join(dir, `cpu-${process.hrtime.bigint()}.json`);
  const preload = pathToFileURL(fileURLToPath(new URL('./cpu-at-exit.js', import.meta.url))).href;
  const inherited = { ...process.env };
  for (const name of unset) delete inherited[name];
  const t0 = performance.now();
  return new Promise<MeasuredProcess>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', preload, ...args], {
      env: { ...inherited, ...env, TURNBENCH_BENCH_CPU_FILE: file },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    // Only the end of stderr: a long run's progress lines are not worth holding.
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - t0;
      if (code !== 0) {
        rmSync(file, { force: true });
        // The last line that says something: a V8 fatal error ends in native stack frames.
        const said = stderr
          .trim()
          .split('\n')
          .filter(
            (line) =>
              line.trim() !== '' &&
              !/^\s*\d+: 0x[0-9a-f]+/.test(line) &&
              !/^-+ Native stack trace/.test(line),
          );
        reject(
          new Error(`node ${args.join(' ')} exited ${signal ?? `with code ${code}`}: ${said.at(-1) ?? ''}`),
        );
        return;
      }
      try {
        const figures = ExitFiguresSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
        resolve({
          ...figures,
          cpu_ms: (figures.cpu_user_us + figures.cpu_system_us) / 1000,
          wall_ms: Math.round(wallMs),
          stdout,
        });
      } catch (error) {
        reject(error);
      } finally {
        rmSync(file, { force: true });
      }
    });
  });
}
