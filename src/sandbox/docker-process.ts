import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { type Duplex, PassThrough, Writable } from 'node:stream';
import type Dockerode from 'dockerode';
import { exitCodeOf } from './docker-exec.js';
import type { SandboxProcess } from './types.js';

/** How long `kill` waits for a process to exit on its own after its stdin closed. */
const DEFAULT_KILL_GRACE_MS = 2_000;

/**
 * The process records its pid before it becomes argv (`exec` keeps the pid), so it can be killed
 * later: the Docker API can start an exec but has no call to stop one.
 */
const RECORD_PID = 'echo $$ > "$0"; exec "$@"';

export interface ContainerSpawnOptions {
  user: string;
  /** Absolute working directory. */
  cwd: string;
  env?: Record<string, string>;
}

/**
 * Starts argv in a running container with stdin, stdout and stderr attached: one exec on a
 * hijacked connection, the multiplexed output split into two streams. The process goes with the
 * container at the latest.
 */
export async function spawnInContainer(
  docker: Dockerode,
  container: Dockerode.Container,
  argv: string[],
  opts: ContainerSpawnOptions,
): Promise<SandboxProcess> {
  if (argv.length === 0) throw new Error('spawn needs a command');
  const pidFile = `/tmp/.turnbench-process-${randomUUID()}`;
  const exec = await container.exec({
    Cmd: ['sh', '-c', RECORD_PID, pidFile, ...argv],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    User: opts.user,
    WorkingDir: opts.cwd,
    Env: Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
  });
  const stream: Duplex = await exec.start({ hijack: true, stdin: true });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  docker.modem.demuxStream(stream, stdout, stderr);

  // The connection ends when the process exits (or the container goes); its code is read then.
  const closed = new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
  const exited = closed.then(async () => {
    stdout.end();
    stderr.end();
    try {
      return await exitCodeOf(exec);
    } catch {
      return null; // the container is gone
    }
  });

  const stdin = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (stream.destroyed || stream.writableEnded) return done(new Error('the process has exited'));
      stream.write(chunk, done);
    },
    final(done) {
      // Half-close: the process sees end of input, its output keeps coming.
      if (!stream.destroyed && !stream.writableEnded) stream.end();
      done();
    },
  });

  const kill = async (graceMs = DEFAULT_KILL_GRACE_MS): Promise<void> => {
    if (!stdin.writableEnded) stdin.end();
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    if ((await Promise.race([exited.then(() => 'exited' as const), timer])) === 'exited') return;
    try {
      const killer = await container.exec({
        Cmd: ['sh', '-c', 'kill -KILL "$(cat "$0")" 2>/dev/null; rm -f "$0"', pidFile],
        AttachStdout: true,
        AttachStderr: true,
        User: opts.user,
      });
      const out: Duplex = await killer.start({ hijack: false, stdin: false });
      out.resume();
      await once(out, 'end');
    } catch {
      // the container is gone, and the process with it
    }
    stream.destroy();
    await exited;
  };

  return { stdin, stdout, stderr, exited, kill };
}
