/** The contract every sandbox implementation (Docker, local) fulfils. */
import type { Readable, Writable } from 'node:stream';

export interface SandboxFile {
  /** Path relative to the sandbox working directory. */
  path: string;
  content: Buffer | string;
  mode?: number;
}

export interface SandboxLimits {
  memoryMb: number;
  cpus: number;
  pids: number;
  /**
   * What a sandbox may write, in MB (default DEFAULT_DISK_MB): the size of the working directory
   * and of HOME (Docker: in-memory tmpfs mounts on an otherwise read-only root filesystem, so
   * nothing reaches the engine's disk) and the largest single file a command may write.
   */
  diskMb?: number;
}

export const DEFAULT_DISK_MB = 1024;

/**
 * The standard system PATH. Commands turnbench runs for itself or for the grader run with it
 * (ExecOptions.systemPath; an exec's PATH also decides where `sh` itself is found), so a program
 * the agent planted in a folder it can write, listed on the image's PATH, is never picked up.
 */
export const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A host file or folder visible read-only inside the sandbox (see `SandboxSpec.mounts`). */
export interface SandboxMount {
  source: string;
  target: string;
}

export interface SandboxSpec {
  image: string;
  workdir: string;
  files: SandboxFile[];
  /** Labels on the container; always includes `turnbench.run`. */
  labels: Record<string, string>;
  limits: SandboxLimits;
  network: boolean;
  name?: string;
  /**
   * Host files or folders made visible read-only at `target` inside the sandbox (Docker bind
   * mounts; a local engine's host paths are there anyway). Only meaningful on an engine that runs on
   * this machine.
   */
  mounts?: ReadonlyArray<SandboxMount>;
}

export interface ExecOptions {
  timeoutMs: number;
  /** Cap on captured stdout+stderr; the head and tail are kept and the cut is marked. */
  maxOutputBytes?: number;
  cwd?: string;
  env?: Record<string, string>;
  /**
   * Find programs (`sh` included) on the standard system PATH only, never on the image's: for
   * commands turnbench runs for itself or for the grader. (The local sandbox keeps the host PATH.)
   */
  systemPath?: boolean;
  signal?: AbortSignal;
}

export interface ExecResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  truncated: boolean;
  durationMs: number;
}

export interface SpawnOptions {
  /** Working directory, relative to the sandbox's (default: the sandbox's). */
  cwd?: string;
  env?: Record<string, string>;
}

/**
 * A long-lived process in the sandbox with its standard streams attached (an MCP server over
 * stdio): no timeout and no output cap; it lives until it exits, is killed, or the sandbox goes.
 */
export interface SandboxProcess {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Settles once the process has exited: its exit code, or null when it cannot be known. */
  readonly exited: Promise<number | null>;
  /** Closes stdin, and kills the process if it has not exited `graceMs` later. */
  kill(graceMs?: number): Promise<void>;
}

/** Files read through readFile are held in memory; larger ones are refused. */
export const MAX_READ_BYTES = 16 * 1024 * 1024;

/** readFile of a file larger than the bytes it was allowed. */
export class FileTooLargeError extends Error {
  override name = 'FileTooLargeError';
  constructor(path: string, maxBytes: number) {
    super(`cannot read ${path}: larger than ${maxBytes} bytes`);
  }
}

/** Bounds on one file operation (a tool passes its command timeout and the sample's signal). */
export interface FileOpOptions {
  /** Default 60 s. */
  timeoutMs?: number;
  /** Largest file readFile returns (default MAX_READ_BYTES); a larger one is an error. */
  maxBytes?: number;
  signal?: AbortSignal;
}

export interface Sandbox {
  readonly id: string;
  readonly workdir: string;
  /** Name of the Docker engine the sandbox runs on, when a suite spreads samples over several. */
  readonly engine?: string;
  /** Run argv inside the sandbox (no shell unless argv asks for one). */
  exec(argv: string[], opts: ExecOptions): Promise<ExecResult>;
  /** Start argv inside the sandbox with stdin, stdout and stderr attached (as the sandbox user). */
  spawn(argv: string[], opts?: SpawnOptions): Promise<SandboxProcess>;
  /**
   * Paths are relative to the working directory unless absolute. Bounded: at most `maxBytes`, and
   * never waits past the timeout (`/dev/zero`, a FIFO nobody writes to).
   */
  readFile(path: string, opts?: FileOpOptions): Promise<string>;
  writeFile(path: string, content: string, opts?: FileOpOptions): Promise<void>;
  /**
   * Copies files into the working directory as the sandbox user, replacing whatever is at those
   * paths (a file the agent edited, a link or a folder it put there).
   */
  putFiles(files: SandboxFile[]): Promise<void>;
  /**
   * Ends every process the sandbox user still runs (what earlier commands left in the background),
   * so nothing the agent started outlives its turn. Throws when some cannot be ended.
   */
  endProcesses(): Promise<void>;
  /** Removes the sandbox; safe to call more than once. */
  destroy(): Promise<void>;
}

/**
 * The sandbox itself failed, not the command run in it: its engine does not answer, or its
 * container is gone or stopped. What the sample was doing cannot be finished or judged, so the
 * sample ends as an error (never a score) and a resume runs it again.
 */
export class SandboxUnavailableError extends Error {
  override name = 'SandboxUnavailableError';
  constructor(
    message: string,
    /** The engine itself does not answer (rather than this one container being gone). */
    readonly engineDown: boolean,
  ) {
    super(message);
  }
}

export type ImageProgress = (line: string) => void;

export interface SandboxProvider {
  readonly kind: 'docker' | 'local';
  create(spec: SandboxSpec, signal?: AbortSignal): Promise<Sandbox>;
  /** Make sure an image exists (building the base image or a task Dockerfile if needed); returns the tag to use. */
  ensureImage(ref: ImageRequest, onProgress?: ImageProgress): Promise<string>;
  /** Remove every sandbox carrying these labels; returns how many were removed. */
  removeByLabels(labels: Record<string, string>): Promise<number>;
  /** The labels of every sandbox carrying these labels, one entry per sandbox (providers that can list). */
  listLabels?(labels: Record<string, string>): Promise<Array<Record<string, string>>>;
  /** The CPUs of each engine that answers (providers that enforce CPU limits). */
  engineCpus?(): Promise<EngineCpus[]>;
  /** Fails with a one-line message when an engine the provider uses does not answer (engine-backed providers). */
  checkEngine?(): Promise<void>;
}

export interface EngineCpus {
  engine: string;
  cpus: number;
}

export type ImageRequest =
  | { kind: 'base' }
  | { kind: 'named'; name: string }
  | { kind: 'dockerfile'; dockerfile: string; contextDir: string };

/** A named image the engine does not have (turnbench never pulls). */
export class ImageNotFoundError extends Error {
  override name = 'ImageNotFoundError';
  constructor(
    readonly image: string,
    message: string,
  ) {
    super(message);
  }
}
