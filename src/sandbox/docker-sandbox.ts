import { posix } from 'node:path';
import type Dockerode from 'dockerode';
import { execInContainer } from './docker-exec.js';
import { spawnInContainer } from './docker-process.js';
import { statusCode } from './image-util.js';
import type { ExecOptions, ExecResult, Sandbox, SandboxProcess, SpawnOptions } from './types.js';

/** Files read through readFile are held in memory; larger ones are refused. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;
const FILE_OP_TIMEOUT_MS = 60_000;

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

  async readFile(path: string): Promise<string> {
    const abs = this.resolve(path);
    const r = await execInContainer(this.docker, this.container, ['cat', '--', abs], {
      timeoutMs: FILE_OP_TIMEOUT_MS,
      maxOutputBytes: MAX_FILE_BYTES,
      user: this.user,
      cwd: this.workdir,
    });
    if (r.exitCode !== 0)
      throw new Error(`cannot read ${abs}: ${r.stderr.trim() || `exit code ${r.exitCode}`}`);
    if (r.truncated) throw new Error(`cannot read ${abs}: larger than ${MAX_FILE_BYTES} bytes`);
    return r.stdout;
  }

  async writeFile(path: string, content: string): Promise<void> {
    const abs = this.resolve(path);
    const script = 'mkdir -p -- "$(dirname -- "$1")" && cat > "$1"';
    const r = await execInContainer(this.docker, this.container, ['sh', '-c', script, 'sh', abs], {
      timeoutMs: FILE_OP_TIMEOUT_MS,
      maxOutputBytes: 64 * 1024,
      user: this.user,
      cwd: this.workdir,
      stdin: Buffer.from(content, 'utf8'),
    });
    if (r.exitCode !== 0)
      throw new Error(`cannot write ${abs}: ${r.stderr.trim() || `exit code ${r.exitCode}`}`);
  }

  destroy(): Promise<void> {
    this.removal ??= forceRemove(this.container);
    return this.removal;
  }
}
