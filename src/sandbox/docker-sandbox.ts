import { posix } from 'node:path';
import type Dockerode from 'dockerode';
import { execInContainer } from './docker-exec.js';
import { spawnInContainer } from './docker-process.js';
import { statusCode } from './image-util.js';
import {
  type ExecOptions,
  type ExecResult,
  type FileOpOptions,
  MAX_READ_BYTES,
  type Sandbox,
  type SandboxProcess,
  type SpawnOptions,
} from './types.js';

const FILE_OP_TIMEOUT_MS = 60_000;

/**
 * Reads at most one byte past the limit (so a larger file is known to be larger without streaming
 * it all), and refuses what is not a regular file: `/dev/zero` would otherwise stream for as long
 * as it is allowed to.
 */
const READ_SCRIPT =
  'if [ -e "$1" ] && [ ! -f "$1" ]; then echo "$1: not a regular file" >&2; exit 3; fi; exec head -c "$2" -- "$1"';

/** Removes a container, treating "already gone" and "removal in progress" as success. */
export async function forceRemove(container: Dockerode.Container): Promise<void> {
  try {
    await container.remove({ force: true, v: true });
  } catch (err) {
    const code = statusCode(err);
    if (code !== 404 && code !== 409) throw err;
  }
}

/** One running container; every command and file operation runs as the sandbox user. */
export class DockerSandbox implements Sandbox {
  private removal: Promise<void> | undefined;

  constructor(
    private readonly docker: Dockerode,
    private readonly container: Dockerode.Container,
    readonly workdir: string,
    private readonly user: string,
  ) {}

  get id(): string {
    return this.container.id;
  }

  private resolve(path: string): string {
    return posix.resolve(this.workdir, path);
  }

  exec(argv: string[], opts: ExecOptions): Promise<ExecResult> {
    return execInContainer(this.docker, this.container, argv, {
      ...opts,
      user: this.user,
      cwd: opts.cwd ? this.resolve(opts.cwd) : this.workdir,
    });
  }

  spawn(argv: string[], opts: SpawnOptions = {}): Promise<SandboxProcess> {
    return spawnInContainer(this.docker, this.container, argv, {
      user: this.user,
      cwd: opts.cwd ? this.resolve(opts.cwd) : this.workdir,
      ...(opts.env ? { env: opts.env } : {}),
    });
  }

  async readFile(path: string, opts: FileOpOptions = {}): Promise<string> {
    const abs = this.resolve(path);
    const maxBytes = opts.maxBytes ?? MAX_READ_BYTES;
    const timeoutMs = opts.timeoutMs ?? FILE_OP_TIMEOUT_MS;
    const r = await execInContainer(
      this.docker,
      this.container,
      ['sh', '-c', READ_SCRIPT, 'sh', abs, String(maxBytes + 1)],
      {
        timeoutMs,
        maxOutputBytes: maxBytes,
        user: this.user,
        cwd: this.workdir,
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
    );
    if (r.timedOut) throw new Error(`cannot read ${abs}: still reading after ${timeoutMs / 1000}s`);
    if (r.exitCode !== 0)
      throw new Error(`cannot read ${abs}: ${r.stderr.trim() || `exit code ${r.exitCode}`}`);
    if (r.truncated) throw new Error(`cannot read ${abs}: larger than ${maxBytes} bytes`);
    return r.stdout;
  }

  async writeFile(path: string, content: string, opts: FileOpOptions = {}): Promise<void> {
    const abs = this.resolve(path);
    const script = 'mkdir -p -- "$(dirname -- "$1")" && cat > "$1"';
    const timeoutMs = opts.timeoutMs ?? FILE_OP_TIMEOUT_MS;
    const r = await execInContainer(this.docker, this.container, ['sh', '-c', script, 'sh', abs], {
      timeoutMs,
      maxOutputBytes: 64 * 1024,
      user: this.user,
      cwd: this.workdir,
      stdin: Buffer.from(content, 'utf8'),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (r.timedOut) throw new Error(`cannot write ${abs}: still writing after ${timeoutMs / 1000}s`);
    if (r.exitCode !== 0)
      throw new Error(`cannot write ${abs}: ${r.stderr.trim() || `exit code ${r.exitCode}`}`);
  }

  destroy(): Promise<void> {
    this.removal ??= forceRemove(this.container);
    return this.removal;
  }
}
