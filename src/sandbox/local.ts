/**
 * A sandbox that runs commands as ordinary host processes in a fresh temporary directory.
 *
 * NOT ISOLATED: commands run as the current user with full access to the host's files and network.
 * It exists for development and fast tests; real runs use the Docker sandbox. Images and limits in
 * the spec are ignored, and the spec's `workdir` is replaced by the temporary directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { chmod, mkdir, open, rm, stat, writeFile } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { timerDelay } from '../config/bounds.js';
import { ownerLabels } from './labels.js';
import { HeadTailCollector, renderCapped, splitBudget } from './local-output.js';
import { relativeTaskPath } from './task-path.js';
import {
  type ExecOptions,
  type ExecResult,
  type FileOpOptions,
  FileTooLargeError,
  type ImageRequest,
  MAX_READ_BYTES,
  type Sandbox,
  type SandboxFile,
  type SandboxProcess,
  type SandboxProvider,
  type SandboxSpec,
  type SpawnOptions,
} from './types.js';

/** Used when the caller sets no cap; large enough to be effectively uncapped for tool output. */
const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
/** How long to wait for the output pipes to close after the process itself exited. */
const PIPE_DRAIN_GRACE_MS = 2_000;

/** Host variables passed through; everything else (API keys included) stays out of the sandbox. */
const PASSTHROUGH_ENV = ['PATH', 'LANG', 'LC_ALL', 'TZ'] as const;

export class LocalSandboxProvider implements SandboxProvider {
  readonly kind = 'local' as const;
  private readonly live = new Map<LocalSandbox, Record<string, string>>();
  /** Where the sandboxes' folders go (read once: os.tmpdir() consults the environment on every call). */
  private readonly root = tmpdir();

  async create(spec: SandboxSpec, signal?: AbortSignal): Promise<Sandbox> {
    signal?.throwIfAborted();
    // The folder is named now and made on first use: a sample without files that never runs a
    // command (a single-turn answer scored by a match) costs no file work at all.
    const sandbox = new LocalSandbox(resolve(this.root, `turnbench-${randomUUID()}`), () =>
      this.live.delete(sandbox),
    );
    this.live.set(sandbox, { ...ownerLabels(), ...spec.labels });
    if (spec.files.length === 0) return sandbox;
    try {
      await sandbox.putFiles(spec.files);
      signal?.throwIfAborted();
    } catch (err) {
      await sandbox.destroy();
      throw err;
    }
    return sandbox;
  }

  async ensureImage(_ref: ImageRequest): Promise<string> {
    return 'local';
  }

  /** Destroys the live sandboxes created by this provider whose labels include all of `labels`. */
  async removeByLabels(labels: Record<string, string>): Promise<number> {
    const matching = [...this.live].filter(([, own]) =>
      Object.entries(labels).every(([key, value]) => own[key] === value),
    );
    await Promise.all(matching.map(([sandbox]) => sandbox.destroy()));
    return matching.length;
  }
}

class LocalSandbox implements Sandbox {
  readonly id = randomUUID();
  private readonly running = new Set<ChildProcess>();
  private destroyed: Promise<void> | null = null;
  private made: Promise<void> | null = null;

  constructor(
    readonly workdir: string,
    private readonly onDestroy: () => void,
  ) {}

  /** The working folder, made on first use (private to the user, like mkdtemp's). */
  folder(): Promise<void> {
    this.made ??= mkdir(this.workdir, { mode: 0o700 }).then(() => undefined);
    return this.made;
  }

  resolvePath(path: string): string {
    return resolve(this.workdir, path);
  }

  async exec(argv: string[], opts: ExecOptions): Promise<ExecResult> {
    const [file, ...args] = argv;
    if (file === undefined) throw new Error('exec: empty argv');
    if (this.destroyed) throw new Error('exec: sandbox was destroyed');
    opts.signal?.throwIfAborted();
    await this.folder();
    const cwd = this.resolvePath(opts.cwd ?? '.');
    const cwdStat = await stat(cwd).catch(() => null);
    if (!cwdStat?.isDirectory()) throw new Error(`working directory does not exist: ${opts.cwd ?? cwd}`);
    return this.run(file, args, cwd, opts);
  }

  async spawn(argv: string[], opts: SpawnOptions = {}): Promise<SandboxProcess> {
    const [file, ...args] = argv;
    if (file === undefined) throw new Error('spawn: empty argv');
    if (this.destroyed) throw new Error('spawn: sandbox was destroyed');
    await this.folder();
    const child = spawn(file, args, {
      cwd: this.resolvePath(opts.cwd ?? '.'),
      env: this.environment(opts.env),
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolveSpawn, reject) => {
      child.once('spawn', resolveSpawn);
      child.once('error', reject);
    });
    this.running.add(child);
    const exited = new Promise<number | null>((resolveExit) => {
      child.once('exit', (code, signal) => {
        this.running.delete(child);
        killGroup(child);
        resolveExit(code ?? (signal ? 128 + signalNumber(signal) : null));
      });
    });
    const { stdin, stdout, stderr } = child as ChildProcess & {
      stdin: NonNullable<ChildProcess['stdin']>;
      stdout: NonNullable<ChildProcess['stdout']>;
      stderr: NonNullable<ChildProcess['stderr']>;
    };
    stdin.on('error', () => {}); // writes after exit fail through the transport, not as a crash
    return {
      stdin,
      stdout,
      stderr,
      exited,
      async kill(graceMs = 2_000) {
        stdin.end();
        const timer = new Promise((resolveTimer) => setTimeout(resolveTimer, graceMs).unref());
        await Promise.race([exited, timer]);
        killGroup(child);
        await exited;
      },
    };
  }

  private run(file: string, args: string[], cwd: string, opts: ExecOptions): Promise<ExecResult> {
    const maxBytes = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const started = performance.now();
    const child = spawn(file, args, {
      cwd,
      env: this.environment(opts.env),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.running.add(child);
    const stdout = new HeadTailCollector(maxBytes);
    const stderr = new HeadTailCollector(maxBytes);
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));

    return new Promise<ExecResult>((resolvePromise, reject) => {
      let timedOut = false;
      let exitCode: number | null = null;
      let settled = false;
      let drainTimer: NodeJS.Timeout | undefined;

      const killGroup = () => {
        if (child.pid === undefined) return;
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup();
      }, timerDelay(opts.timeoutMs));
      const onAbort = () => {
        killGroup();
        finish(() => reject(opts.signal?.reason ?? new Error('aborted')));
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });

      const finish = (settle: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(drainTimer);
        opts.signal?.removeEventListener('abort', onAbort);
        this.running.delete(child);
        settle();
      };
      const done = () =>
        finish(() => {
          const [outBudget, errBudget] = splitBudget(stdout.totalBytes, stderr.totalBytes, maxBytes);
          const out = renderCapped(stdout, outBudget);
          const err = renderCapped(stderr, errBudget);
          resolvePromise({
            exitCode: timedOut ? null : exitCode,
            stdout: out.text,
            stderr: err.text,
            timedOut,
            truncated: out.truncated || err.truncated,
            durationMs: Math.round(performance.now() - started),
          });
        });

      child.on('error', (error: NodeJS.ErrnoException) => {
        if (child.pid === undefined && (error.code === 'ENOENT' || error.code === 'EACCES')) {
          // Like a shell: a missing (127) or non-executable (126) program is a failed command with a
          // message, not a sandbox failure.
          const missing = error.code === 'ENOENT';
          stderr.push(Buffer.from(`${file}: ${missing ? 'command not found' : 'permission denied'}\n`));
          exitCode = missing ? 127 : 126;
          done();
          return;
        }
        killGroup();
        finish(() => reject(error));
      });
      child.on('exit', (code, signal) => {
        exitCode = code ?? (signal ? 128 + signalNumber(signal) : null);
        // Background children would keep the pipes open and outlive the command: end them. (Unlike
        // `docker exec`, where they survive; here they would be stray host processes.)
        killGroup();
        drainTimer = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          done();
        }, PIPE_DRAIN_GRACE_MS);
      });
      child.on('close', done);
    });
  }

  private environment(extra: Record<string, string> | undefined): Record<string, string> {
    // TURNBENCH_SANDBOX tells a grader's shell there is no isolation to keep up (grader-shell.ts).
    const env: Record<string, string> = { HOME: this.workdir, TERM: 'dumb', TURNBENCH_SANDBOX: 'local' };
    for (const key of PASSTHROUGH_ENV) {
      const value = process.env[key];
      if (value !== undefined) env[key] = value;
    }
    return { ...env, ...extra };
  }

  /**
   * At most `maxBytes` of a regular file. Anything else (`/dev/zero`, a FIFO) is refused: opened
   * without blocking and checked before a byte is read, since a read of it may never end and
   * cannot be cancelled inside Node.
   */
  async readFile(path: string, opts: FileOpOptions = {}): Promise<string> {
    const target = this.resolvePath(path);
    const maxBytes = opts.maxBytes ?? MAX_READ_BYTES;
    opts.signal?.throwIfAborted();
    await this.folder();
    const file = await open(target, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
    try {
      if (!(await file.stat()).isFile()) throw new Error(`cannot read ${target}: not a regular file`);
      const chunks: Buffer[] = [];
      let total = 0;
      while (true) {
        const chunk = Buffer.alloc(Math.min(1 << 20, maxBytes + 1 - total));
        const { bytesRead } = await file.read(chunk, 0, chunk.length, null);
        if (bytesRead === 0) break;
        chunks.push(chunk.subarray(0, bytesRead));
        total += bytesRead;
        if (total > maxBytes) throw new FileTooLargeError(target, maxBytes);
        opts.signal?.throwIfAborted();
      }
      return Buffer.concat(chunks).toString('utf8');
    } finally {
      await file.close();
    }
  }

  /** Paths must stay inside the temporary folder (it is the only thing standing in for a sandbox). */
  async putFiles(files: SandboxFile[]): Promise<void> {
    await this.folder();
    for (const file of files) {
      const target = this.resolvePath(relativeTaskPath(file.path));
      await rm(target, { recursive: true, force: true });
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.content);
      if (file.mode !== undefined) await chmod(target, file.mode);
    }
  }

  /**
   * Ends the process groups of the commands it started. A process that left its group (setsid)
   * escapes this: the local sandbox isolates nothing.
   */
  async endProcesses(): Promise<void> {
    for (const child of this.running) {
      if (child.pid === undefined) continue;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  /** Creates parent folders; a FIFO nobody reads is an error at once (non-blocking open), not a hang. */
  async writeFile(path: string, content: string, opts: FileOpOptions = {}): Promise<void> {
    const target = this.resolvePath(path);
    opts.signal?.throwIfAborted();
    await this.folder();
    await mkdir(dirname(target), { recursive: true });
    const file = await open(
      target,
      fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_TRUNC | fsConstants.O_NONBLOCK,
      0o666,
    );
    try {
      await file.writeFile(content);
    } finally {
      await file.close();
    }
  }

  destroy(): Promise<void> {
    this.destroyed ??= (async () => {
      for (const child of this.running) {
        if (child.pid !== undefined) {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
      }
      this.onDestroy();
      if (this.made === null) return; // never made: nothing to remove
      await this.made.catch(() => undefined);
      await rm(this.workdir, { recursive: true, force: true, maxRetries: 3 });
    })();
    return this.destroyed;
  }
}

/** SIGKILL to the process group a detached child leads (its own children included). */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal] ?? 0;
}
