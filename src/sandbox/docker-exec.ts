import { type Duplex, Writable } from 'node:stream';
import type Dockerode from 'dockerode';
import { timerDelay } from '../config/bounds.js';
import { CappedCollector, DEFAULT_MAX_OUTPUT_BYTES, splitBudget } from './output-cap.js';
import type { ExecOptions, ExecResult } from './types.js';

/** Extra time the host waits past the in-container timeout before giving up on the stream. */
const HOST_GRACE_MS = 5_000;
/** Exit status of `timeout -s KILL` when it killed the command (128 + SIGKILL). */
const KILLED_STATUS = 137;

export interface ContainerExecOptions extends ExecOptions {
  user: string;
  /** Absolute working directory for the command. */
  cwd: string;
  /** Bytes written to the command's stdin, then closed. */
  stdin?: Buffer;
  /**
   * Run argv as the exec's own process, without the in-container timeout wrapper (the host-side
   * timeout still applies). For commands that must not be in the wrapper's process group.
   */
  unwrapped?: boolean;
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('sandbox command aborted');
}

function sink(collector: CappedCollector): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      collector.push(chunk);
      done();
    },
  });
}

/**
 * Runs `timeout -s KILL` in the background (it puts the command in a process group of its own),
 * waits for it, then kills that whole group: a command times out inside the container, and what
 * it left running in the background (a fork bomb, a stray `sleep &` holding the output open) dies
 * with it. stdin is passed through fd 3 because a background job's stdin is /dev/null.
 */
const TIMEOUT_WRAPPER =
  'exec 3<&0; timeout -s KILL "$0" "$@" 0<&3 3<&- & t=$!; exec 3<&-; wait "$t"; s=$?; kill -KILL -"$t" 2>/dev/null; exit "$s"';

/** Wraps argv so the in-container timeout and the process-group cleanup apply to it. */
export function withTimeout(argv: string[], timeoutMs: number): string[] {
  const seconds = Math.max(0.001, timeoutMs / 1000).toFixed(3);
  return ['sh', '-c', TIMEOUT_WRAPPER, seconds, ...argv];
}

export async function exitCodeOf(exec: Dockerode.Exec): Promise<number | null> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const info = await exec.inspect();
    if (!info.Running) return info.ExitCode ?? null;
    await new Promise((r) => setTimeout(r, 10));
  }
  return null;
}

/**
 * Runs argv in a running container: timeout enforced in the container (coreutils `timeout -s KILL`)
 * with a host-side fallback, stdout/stderr demultiplexed into bounded collectors, abortable.
 */
export async function execInContainer(
  docker: Dockerode,
  container: Dockerode.Container,
  argv: string[],
  opts: ContainerExecOptions,
): Promise<ExecResult> {
  if (argv.length === 0) throw new Error('exec needs a command');
  const { signal } = opts;
  if (signal?.aborted) throw abortError(signal);
  const started = performance.now();
  const maxBytes = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const withStdin = opts.stdin !== undefined;
  const exec = await container.exec({
    Cmd: opts.unwrapped ? argv : withTimeout(argv, opts.timeoutMs),
    AttachStdout: true,
    AttachStderr: true,
    AttachStdin: withStdin,
    Tty: false,
    User: opts.user,
    WorkingDir: opts.cwd,
    Env: Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
  });
  const stream: Duplex = await exec.start({ hijack: withStdin, stdin: withStdin });
  const stdout = new CappedCollector(maxBytes);
  const stderr = new CappedCollector(maxBytes);
  docker.modem.demuxStream(stream, sink(stdout), sink(stderr));
  if (opts.stdin !== undefined) stream.end(opts.stdin);

  let hostTimedOut = false;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', reject);
      timer = setTimeout(
        () => {
          hostTimedOut = true;
          stream.destroy();
          resolve();
        },
        timerDelay(opts.timeoutMs + HOST_GRACE_MS),
      );
      onAbort = () => {
        stream.destroy();
        reject(abortError(signal as AbortSignal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }

  const exitCode = hostTimedOut ? null : await exitCodeOf(exec);
  const durationMs = performance.now() - started;
  const [outBudget, errBudget] = splitBudget(stdout.totalBytes, stderr.totalBytes, maxBytes);
  const out = stdout.render(outBudget);
  const err = stderr.render(errBudget);
  return {
    exitCode,
    stdout: out.text,
    stderr: err.text,
    timedOut: hostTimedOut || (exitCode === KILLED_STATUS && durationMs >= opts.timeoutMs),
    truncated: out.truncated || err.truncated,
    durationMs,
  };
}
