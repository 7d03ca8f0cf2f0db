import { spawn } from 'node:child_process';

export interface MeasuredTree {
  /** User + system CPU of the command and every descendant it waited for, in ms. */
  cpu_ms: number;
  wall_ms: number;
  stdout: string;
}

/** `0m1.234s` as bash's `times` prints it, in ms. */
function timesField(field: string): number {
  const m = /^(\d+)m([\d.]+)s$/.exec(field);
  if (!m) throw new Error(`cannot read '${field}' from bash's times`);
  return Number(m[1]) * 60_000 + Number(m[2]) * 1000;
}

/**
 * Runs a command of any kind (a native binary, a Node CLI that starts workers or processes of its
 * own) under a bash that reports, through `times`, the CPU of its waited-for children: the kernel
 * adds each process's own CPU and that of the descendants it waited for, so this is the whole tree.
 * Rejects unless the command exits 0. `input` is written to its standard input.
 */
export function measureTree(
  file: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<MeasuredTree> {
  // fd 3 carries the figures; the command itself does not get it.
  const script = '"$@" 3>&-; code=$?; times >&3; exit $code';
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script, 'bash', file, ...args], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let figures = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    // Only the end of stderr: a long run's progress lines are not worth holding.
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => (figures += chunk.toString()));
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const wall_ms = Math.round(performance.now() - t0);
      if (code !== 0) {
        const said = stderr.trim().split('\n').at(-1) ?? '';
        reject(new Error(`${file} exited ${signal ?? `with code ${code}`}: ${said}`));
        return;
      }
      // Line 1: the shell's own times; line 2: its children's (user, system).
      const children = figures.trim().split('\n')[1]?.trim().split(/\s+/);
      if (children?.length !== 2) {
        reject(new Error(`no CPU figures from bash's times: '${figures}'`));
        return;
      }
      resolve({ cpu_ms: timesField(children[0]!) + timesField(children[1]!), wall_ms, stdout });
    });
  });
}
