import { posix } from 'node:path';
import type Dockerode from 'dockerode';
import { diagnoseFailure } from './docker-diagnose.js';
import { type ContainerExecOptions, execInContainer } from './docker-exec.js';
import { spawnInContainer } from './docker-process.js';
import { statusCode } from './image-util.js';
import { packFiles, relativeTaskPath } from './tar-pack.js';
import {
  type ExecOptions,
  type ExecResult,
  type FileOpOptions,
  FileTooLargeError,
  MAX_READ_BYTES,
  type Sandbox,
  type SandboxFile,
  type SandboxProcess,
  type SpawnOptions,
  SYSTEM_PATH,
} from './types.js';

const FILE_OP_TIMEOUT_MS = 60_000;

/**
 * Reads at most one byte past the limit (so a larger file is known to be larger without streaming
 * it all), and refuses what is not a regular file: `/dev/zero` would otherwise stream for as long
 * as it is allowed to.
 */
const READ_SCRIPT =
  'if [ -e "$1" ] && [ ! -f "$1" ]; then echo "$1: not a regular file" >&2; exit 3; fi; exec head -c "$2" -- "$1"';

/**
 * Removes what is at each path given (after making a folder the user owns removable), then
 * extracts the tar on stdin into the working directory with the user's own ownership.
 */
const PUT_FILES_SCRIPT =
  'for p do if [ -d "$p" ] && [ ! -L "$p" ]; then chmod -R u+rwX -- "$p" 2>/dev/null; fi; rm -rf -- "$p" || exit 1; done; ' +
  'umask 022; exec tar -x --no-same-owner -f -';

/**
 * Kills every process of the exec's user except itself (kill -1 spares PID 1, which runs as
 * root), until /proc shows none left; a fork bomb is outrun by repeating. Then gives the user back
 * access to the working directory (argument 1), which the agent may have locked itself out of.
 */
const END_PROCESSES_SCRIPT = [
  'i=0',
  'while [ "$i" -lt 100 ]; do',
  '  kill -9 -1 2>/dev/null',
  '  left=',
  '  for p in /proc/[0-9]*; do',
  '    [ "$p" = "/proc/$$" ] && continue',
  '    if [ -O "$p" ]; then left=$p; break; fi',
  '  done',
  '  if [ -z "$left" ]; then chmod u+rwx -- "$1" 2>/dev/null; exit 0; fi',
  '  i=$((i + 1))',
  '  sleep 0.05 2>/dev/null',
  'done',
  'echo "$left is still running" >&2',
  'exit 1',
].join('\n');

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
    private readonly owner: { uid: number; gid: number },
  ) {}

  private get user(): string {
    return `${this.owner.uid}:${this.owner.gid}`;
  }

  get id(): string {
    return this.container.id;
  }

  private resolve(path: string): string {
    return posix.resolve(this.workdir, path);
  }

  /** One engine call; when it throws, finds out whether the sandbox itself is gone (SandboxUnavailableError). */
  private async run(argv: string[], opts: ContainerExecOptions): Promise<ExecResult> {
    try {
      return await execInContainer(this.docker, this.container, argv, opts);
    } catch (error) {
      if (opts.signal?.aborted) throw error;
      throw await diagnoseFailure(this.docker, this.container, error);
    }
  }

  exec(argv: string[], opts: ExecOptions): Promise<ExecResult> {
    return this.run(argv, {
      ...opts,
      ...(opts.systemPath ? { env: { ...opts.env, PATH: SYSTEM_PATH } } : {}),
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

  async putFiles(files: SandboxFile[]): Promise<void> {
    if (files.length === 0) return;
    const archive = await packFiles(files, this.owner);
    await this.putArchive(
      archive,
      files.map((f) => relativeTaskPath(f.path)),
    );
  }

  /**
   * Extracts a packFiles archive into the working directory, first removing what is at `replace`.
   * (Through an exec, as the sandbox user: the working directory is a tmpfs, which the engine's
   * own copy API cannot write into.)
   */
  async putArchive(archive: Buffer, replace: string[]): Promise<void> {
    const r = await this.run(['sh', '-c', PUT_FILES_SCRIPT, 'sh', ...replace], {
      timeoutMs: FILE_OP_TIMEOUT_MS,
      maxOutputBytes: 8192,
      user: this.user,
      cwd: this.workdir,
      env: { PATH: SYSTEM_PATH },
      stdin: archive,
    });
    if (r.exitCode !== 0)
      throw new Error(
        `cannot copy files into ${this.workdir}: ${r.stderr.trim() || `exit code ${r.exitCode}`}`,
      );
  }

  async endProcesses(): Promise<void> {
    const r = await this.run(['sh', '-c', END_PROCESSES_SCRIPT, 'sh', this.workdir], {
      timeoutMs: FILE_OP_TIMEOUT_MS,
      maxOutputBytes: 4096,
      user: this.user,
      cwd: '/',
      env: { PATH: SYSTEM_PATH },
      unwrapped: true,
    });
    if (r.exitCode !== 0)
      throw new Error(
        `cannot end the processes left in the sandbox: ${r.stderr.trim() || `exit code ${r.exitCode}`}`,
      );
  }

  async readFile(path: string, opts: FileOpOptions = {}): Promise<string> {
    const abs = this.resolve(path);
    const maxBytes = opts.maxBytes ?? MAX_READ_BYTES;
    const timeoutMs = opts.timeoutMs ?? FILE_OP_TIMEOUT_MS;
    const r = await this.run(['sh', '-c', READ_SCRIPT, 'sh', abs, String(maxBytes + 1)], {
      timeoutMs,
      maxOutputBytes: maxBytes,
      user: this.user,
      cwd: this.workdir,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (r.timedOut) throw new Error(`cannot read ${abs}: still reading after ${timeoutMs / 1000}s`);
    if (r.exitCode !== 0)
      throw new Error(`cannot read ${abs}: ${r.stderr.trim() || `exit code ${r.exitCode}`}`);
    if (r.truncated) throw new FileTooLargeError(abs, maxBytes);
    return r.stdout;
  }

  async writeFile(path: string, content: string, opts: FileOpOptions = {}): Promise<void> {
    const abs = this.resolve(path);
    const script = 'mkdir -p -- "$(dirname -- "$1")" && cat > "$1"';
    const timeoutMs = opts.timeoutMs ?? FILE_OP_TIMEOUT_MS;
    const r = await this.run(['sh', '-c', script, 'sh', abs], {
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
