import PQueue from 'p-queue';
import type { DockerSandboxProvider } from './docker-provider.js';
import { BASE_IMAGE_REPO, baseImageTag } from './image-base.js';
import { copyImage } from './image-copy.js';
import { imageExists, tagImage } from './image-util.js';
import type {
  EngineCpus,
  ExecOptions,
  ExecResult,
  FileOpOptions,
  ImageProgress,
  ImageRequest,
  Sandbox,
  SandboxFile,
  SandboxProcess,
  SandboxProvider,
  SandboxSpec,
  SpawnOptions,
} from './types.js';

/** One Docker engine of a suite and how many containers it may run at once. */
export interface EngineEntry {
  name: string;
  provider: DockerSandboxProvider;
  max: number;
}

export interface EngineUsage {
  name: string;
  inUse: number;
  max: number;
}

interface Engine extends EngineEntry {
  inUse: number;
}

interface Found {
  id: string;
  labels: Record<string, string>;
  engine: Engine;
}

interface Waiter {
  grant(engine: Engine): void;
}

const REMOVE_CONCURRENCY = 8;

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('sandbox creation aborted');
}

/** A sandbox that knows its engine and gives its slot back once removed. */
class EngineSandbox implements Sandbox {
  private removal: Promise<void> | undefined;

  constructor(
    private readonly inner: Sandbox,
    readonly engine: string,
    private readonly release: () => void,
  ) {}

  get id(): string {
    return this.inner.id;
  }

  get workdir(): string {
    return this.inner.workdir;
  }

  exec(argv: string[], opts: ExecOptions): Promise<ExecResult> {
    return this.inner.exec(argv, opts);
  }

  spawn(argv: string[], opts?: SpawnOptions): Promise<SandboxProcess> {
    return this.inner.spawn(argv, opts);
  }

  readFile(path: string, opts?: FileOpOptions): Promise<string> {
    return this.inner.readFile(path, opts);
  }

  writeFile(path: string, content: string, opts?: FileOpOptions): Promise<void> {
    return this.inner.writeFile(path, content, opts);
  }

  putFiles(files: SandboxFile[]): Promise<void> {
    return this.inner.putFiles(files);
  }

  endProcesses(): Promise<void> {
    return this.inner.endProcesses();
  }

  /** The slot is freed even when removal fails, so a broken container cannot stall the run. */
  destroy(): Promise<void> {
    this.removal ??= this.inner.destroy().finally(this.release);
    return this.removal;
  }
}

/**
 * Sandboxes spread over several Docker engines. Each sandbox goes to the engine with the most free
 * slots (the first listed on a tie); no engine ever runs more than its `max`; when all are full,
 * `create` waits (first come, first served) until a sandbox is destroyed.
 *
 * Images: the engine that already has an image (else the first engine) provides it, building it
 * if needed (the base image: debootstrap on this machine, then `docker import` into that engine;
 * a task Dockerfile: `docker build` there). Every other engine lacking it then gets a copy
 * streamed `docker save` -> `docker load`, so all engines run the identical image (same ID, same
 * tag) and nothing is pulled.
 */
export class MultiEngineProvider implements SandboxProvider {
  readonly kind = 'docker' as const;
  private readonly engines: Engine[];
  private readonly waiters: Waiter[] = [];
  private readonly builds = new Map<string, Promise<string>>();

  /** `baseImage`: the image used for `{ kind: 'base' }` when the providers were given one. */
  constructor(
    engines: EngineEntry[],
    private readonly opts: { baseImage?: string } = {},
  ) {
    if (engines.length === 0) throw new Error('MultiEngineProvider needs at least one engine');
    const names = new Set<string>();
    for (const e of engines) {
      if (!Number.isInteger(e.max) || e.max < 1)
        throw new Error(`engine "${e.name}": max must be a positive integer, got ${e.max}`);
      if (names.has(e.name)) throw new Error(`duplicate engine name "${e.name}"`);
      names.add(e.name);
    }
    this.engines = engines.map((e) => ({ ...e, inUse: 0 }));
  }

  /** Sandboxes held (created or being created) on each engine, in the order listed. */
  usage(): EngineUsage[] {
    return this.engines.map(({ name, inUse, max }) => ({ name, inUse, max }));
  }

  /** Sandboxes waiting for a free slot. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** The most containers these engines may run at once (the sum of their `max`). */
  get capacity(): number {
    return this.engines.reduce((sum, e) => sum + e.max, 0);
  }

  async create(spec: SandboxSpec, signal?: AbortSignal): Promise<Sandbox> {
    const engine = await this.acquire(signal);
    try {
      const inner = await engine.provider.create(spec, signal);
      return new EngineSandbox(inner, engine.name, () => this.release(engine));
    } catch (err) {
      this.release(engine);
      throw err;
    }
  }

  private freest(): Engine | undefined {
    let best: Engine | undefined;
    for (const e of this.engines) {
      const free = e.max - e.inUse;
      if (free > 0 && (!best || free > best.max - best.inUse)) best = e;
    }
    return best;
  }

  private acquire(signal?: AbortSignal): Promise<Engine> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const free = this.waiters.length === 0 ? this.freest() : undefined;
    if (free) {
      free.inUse += 1;
      return Promise.resolve(free);
    }
    return new Promise<Engine>((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(abortError(signal as AbortSignal));
      };
      const waiter: Waiter = {
        grant: (engine) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(engine);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private release(engine: Engine): void {
    engine.inUse -= 1;
    for (let free = this.freest(); free && this.waiters.length > 0; free = this.freest()) {
      free.inUse += 1;
      this.waiters.shift()?.grant(free);
    }
  }

  /** Concurrent requests for the same image share one build and one round of copies. */
  ensureImage(ref: ImageRequest, onProgress: ImageProgress = () => {}): Promise<string> {
    const key = JSON.stringify(ref);
    let build = this.builds.get(key);
    if (!build) {
      build = this.provideEverywhere(ref, onProgress).finally(() => this.builds.delete(key));
      this.builds.set(key, build);
    }
    return build;
  }

  private knownTag(ref: ImageRequest): string | undefined {
    if (ref.kind === 'named') return ref.name;
    if (ref.kind === 'base') return this.opts.baseImage ?? baseImageTag();
    return undefined; // a Dockerfile's tag comes from hashing its context, done by the build
  }

  private async provideEverywhere(ref: ImageRequest, onProgress: ImageProgress): Promise<string> {
    const several = this.engines.length > 1;
    const say = (engine: string) => (line: string) => onProgress(several ? `[${engine}] ${line}` : line);
    const known = this.knownTag(ref);
    let source = this.engines[0] as Engine;
    if (known) {
      const have = await Promise.all(this.engines.map((e) => imageExists(e.provider.docker, known)));
      source = this.engines[have.indexOf(true)] ?? source;
    }
    const tag = await source.provider.ensureImage(ref, say(source.name));
    const copyBaseLatest = ref.kind === 'base' && !this.opts.baseImage;
    await Promise.all(
      this.engines
        .filter((e) => e !== source)
        .map(async (e) => {
          if (await imageExists(e.provider.docker, tag)) return;
          say(e.name)(`copying ${tag} from engine ${source.name}`);
          await copyImage(source.provider.docker, e.provider.docker, tag, say(e.name));
          if (copyBaseLatest) await tagImage(e.provider.docker, tag, `${BASE_IMAGE_REPO}:latest`);
        }),
    );
    return tag;
  }

  /** Runs `fn` on every engine; all are tried, and the failures are gathered into one error. */
  private async everyEngine<T>(
    what: string,
    fn: (e: Engine) => Promise<T>,
  ): Promise<{ results: T[]; failure?: Error }> {
    const settled = await Promise.allSettled(this.engines.map(fn));
    const results = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = settled.flatMap((s, i) =>
      s.status === 'rejected'
        ? [`${this.engines[i]?.name}: ${(s.reason as Error)?.message ?? String(s.reason)}`]
        : [],
    );
    if (failed.length === 0) return { results };
    return {
      results,
      failure: new Error(`${what} failed on ${failed.length} engine(s): ${failed.join('; ')}`),
    };
  }

  /**
   * The sandboxes with these labels on the engines that answer, each once: two entries may name
   * the same daemon (its socket and its TCP port, say), and container ids are unique across daemons.
   */
  private async findEverywhere(
    labels: Record<string, string>,
    what: string,
  ): Promise<{ found: Found[]; failure?: Error }> {
    const { results, failure } = await this.everyEngine(what, async (engine) =>
      (await engine.provider.findSandboxes(labels)).map((s) => ({ ...s, engine })),
    );
    const byId = new Map<string, Found>();
    for (const s of results.flat()) if (!byId.has(s.id)) byId.set(s.id, s);
    return { found: [...byId.values()], ...(failure ? { failure } : {}) };
  }

  /** Removes what it finds on the engines that answer, then fails if any engine did not. */
  async removeByLabels(labels: Record<string, string>): Promise<number> {
    const { found, failure } = await this.findEverywhere(labels, 'removing sandboxes');
    const queue = new PQueue({ concurrency: REMOVE_CONCURRENCY });
    await Promise.all(found.map((s) => queue.add(() => s.engine.provider.removeSandbox(s.id))));
    if (failure) throw failure;
    return found.length;
  }

  async listLabels(labels: Record<string, string>): Promise<Array<Record<string, string>>> {
    const { found, failure } = await this.findEverywhere(labels, 'listing sandboxes');
    if (failure) throw failure;
    return found.map((s) => s.labels);
  }

  /** The CPUs of each engine that answers, by its suite name. */
  async engineCpus(): Promise<EngineCpus[]> {
    const { results } = await this.everyEngine('asking for CPUs', async (e) =>
      (await e.provider.engineCpus()).map((c) => ({ ...c, engine: e.name })),
    );
    return results.flat();
  }

  /** Fails, naming every engine that does not answer, unless all do. */
  async checkEngine(): Promise<void> {
    const { failure } = await this.everyEngine('connecting', (e) => e.provider.checkEngine());
    if (failure) throw failure;
  }
}
