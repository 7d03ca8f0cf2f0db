import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { posix } from 'node:path';
import Dockerode from 'dockerode';
import PQueue from 'p-queue';
import { DockerSandbox, forceRemove } from './docker-sandbox.js';
import { ensureBaseImage, SANDBOX_USER } from './image-base.js';
import { ensureDockerfileImage } from './image-dockerfile.js';
import { type ImageSummary, listTurnbenchImages } from './image-list.js';
import { imageExists } from './image-util.js';
import { packWorkdir } from './tar-pack.js';
import type {
  EngineCpus,
  ImageProgress,
  ImageRequest,
  Sandbox,
  SandboxProvider,
  SandboxSpec,
} from './types.js';

export const RUN_LABEL = 'turnbench.run';
export const SAMPLE_LABEL = 'turnbench.sample';
/** The machine and process that created a container, so containers of dead runs can be reaped. */
export const HOST_LABEL = 'turnbench.host';
export const PID_LABEL = 'turnbench.pid';
/** A label value in removeByLabels meaning "the label is present, whatever its value". */
export const ANY_LABEL_VALUE = '*';
const REMOVE_CONCURRENCY = 8;

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

export interface DockerSandboxProviderOptions {
  docker?: Dockerode;
  /** Image used for `{ kind: 'base' }` instead of building the debootstrap one. */
  baseImage?: string;
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('sandbox creation aborted');
}

const MB = 1024 * 1024;

/**
 * The container settings that lock a sandbox down. `storageQuota`: whether to ask the engine for
 * a writable-layer size cap (only some storage setups support it).
 */
export function containerConfig(
  spec: SandboxSpec,
  labels: Record<string, string>,
  storageQuota: boolean,
): Dockerode.ContainerCreateOptions {
  const memory = Math.round(spec.limits.memoryMb * MB);
  const diskMb = spec.limits.diskMb;
  const ulimits = [{ Name: 'core', Soft: 0, Hard: 0 }];
  if (diskMb) ulimits.push({ Name: 'fsize', Soft: Math.round(diskMb * MB), Hard: Math.round(diskMb * MB) });
  return {
    Image: spec.image,
    ...(spec.name ? { name: spec.name } : {}),
    Cmd: ['sleep', 'infinity'],
    User: `${SANDBOX_USER.uid}:${SANDBOX_USER.gid}`,
    WorkingDir: spec.workdir,
    Labels: labels,
    NetworkDisabled: !spec.network,
    HostConfig: {
      Init: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      NetworkMode: spec.network ? 'bridge' : 'none',
      Memory: memory,
      MemorySwap: memory,
      NanoCpus: Math.round(spec.limits.cpus * 1e9),
      PidsLimit: spec.limits.pids,
      Tmpfs: {
        '/tmp': `rw,nosuid,nodev,mode=1777,size=${Math.max(16, Math.floor(spec.limits.memoryMb / 2))}m`,
      },
      Ulimits: ulimits,
      // `Mounts`, not `Binds`: a source missing on the engine's machine is an error, not an empty folder.
      ...(spec.mounts?.length
        ? {
            Mounts: spec.mounts.map((m) => ({
              Type: 'bind' as const,
              Source: m.source,
              Target: m.target,
              ReadOnly: true,
            })),
          }
        : {}),
      ...(diskMb && storageQuota ? { StorageOpt: { size: `${Math.ceil(diskMb)}M` } } : {}),
      AutoRemove: false,
    },
  };
}

/** Sandboxes as Docker containers: one fresh, locked-down container per sample. */
export class DockerSandboxProvider implements SandboxProvider {
  readonly kind = 'docker' as const;
  readonly docker: Dockerode;
  private readonly baseImage: string | undefined;
  private readonly builds = new Map<string, Promise<string>>();
  private storageQuota: boolean | undefined;

  constructor(opts: DockerSandboxProviderOptions = {}) {
    this.docker = opts.docker ?? new Dockerode();
    this.baseImage = opts.baseImage;
  }

  async create(spec: SandboxSpec, signal?: AbortSignal): Promise<Sandbox> {
    if (!spec.labels[RUN_LABEL]) throw new Error(`sandbox spec needs a "${RUN_LABEL}" label`);
    if (!posix.isAbsolute(spec.workdir))
      throw new Error(`sandbox workdir "${spec.workdir}" must be absolute`);
    if (signal?.aborted) throw abortError(signal);
    const labels = {
      [HOST_LABEL]: hostname(),
      [PID_LABEL]: String(process.pid),
      ...spec.labels,
      [SAMPLE_LABEL]: spec.labels[SAMPLE_LABEL] ?? spec.name ?? randomUUID(),
    };
    const archive = await packWorkdir(spec.workdir, spec.files, SANDBOX_USER);
    const container = await this.createContainer(spec, labels);
    const workdir = posix.normalize(spec.workdir);
    const sandbox = new DockerSandbox(
      this.docker,
      container,
      workdir,
      `${SANDBOX_USER.uid}:${SANDBOX_USER.gid}`,
    );
    try {
      await container.putArchive(archive, { path: '/' });
      await container.start();
      if (signal?.aborted) throw abortError(signal);
      return sandbox;
    } catch (err) {
      await sandbox.destroy().catch(() => {});
      throw err;
    }
  }

  /**
   * Whether the engine caps a container's writable layer (`StorageOpt.size`); learnt from the
   * first sandbox created with `limits.diskMb` (undefined until then).
   */
  get storageQuotaSupported(): boolean | undefined {
    return this.storageQuota;
  }

  private async createContainer(
    spec: SandboxSpec,
    labels: Record<string, string>,
  ): Promise<Dockerode.Container> {
    const wantQuota = !!spec.limits.diskMb && this.storageQuota !== false;
    try {
      const container = await this.docker.createContainer(containerConfig(spec, labels, wantQuota));
      if (wantQuota) this.storageQuota = true;
      return container;
    } catch (err) {
      if (!wantQuota || !/storage-opt/i.test(String((err as Error).message))) throw err;
      // This engine has no layer quota; the per-file cap (ulimit fsize) still applies.
      this.storageQuota = false;
      return this.docker.createContainer(containerConfig(spec, labels, false));
    }
  }

  /** Concurrent requests for the same image share one build; later ones re-check (contexts change). */
  ensureImage(ref: ImageRequest, onProgress: ImageProgress = () => {}): Promise<string> {
    const key = JSON.stringify(ref);
    let build = this.builds.get(key);
    if (!build) {
      build = this.resolveImage(ref, onProgress).finally(() => this.builds.delete(key));
      this.builds.set(key, build);
    }
    return build;
  }

  /** Builds the base image even when it exists (`turnbench images build --force`). */
  rebuildBaseImage(onProgress: ImageProgress = () => {}): Promise<string> {
    return ensureBaseImage(this.docker, onProgress, { force: true });
  }

  /** The turnbench images on this engine. */
  listImages(): Promise<ImageSummary[]> {
    return listTurnbenchImages(this.docker);
  }

  private async resolveImage(ref: ImageRequest, onProgress: ImageProgress): Promise<string> {
    switch (ref.kind) {
      case 'base':
        return this.baseImage ? this.requireImage(this.baseImage) : ensureBaseImage(this.docker, onProgress);
      case 'named':
        return this.requireImage(ref.name);
      case 'dockerfile':
        return ensureDockerfileImage(this.docker, ref.dockerfile, ref.contextDir, onProgress);
    }
  }

  private async requireImage(name: string): Promise<string> {
    if (await imageExists(this.docker, name)) return name;
    throw new ImageNotFoundError(
      name,
      `image "${name}" is not on the Docker engine and cannot be pulled offline; build it first (or use the base image)`,
    );
  }

  async removeByLabels(labels: Record<string, string>): Promise<number> {
    const found = await this.findSandboxes(labels);
    const queue = new PQueue({ concurrency: REMOVE_CONCURRENCY });
    await Promise.all(found.map((c) => queue.add(() => this.removeSandbox(c.id))));
    return found.length;
  }

  async listLabels(labels: Record<string, string>): Promise<Array<Record<string, string>>> {
    return (await this.findSandboxes(labels)).map((c) => c.labels);
  }

  /** The containers (running or not) carrying all these labels. */
  async findSandboxes(
    labels: Record<string, string>,
  ): Promise<Array<{ id: string; labels: Record<string, string> }>> {
    const filters = Object.entries(labels).map(([k, v]) => (v === ANY_LABEL_VALUE ? k : `${k}=${v}`));
    if (filters.length === 0) throw new Error('selecting sandboxes needs at least one label');
    const found = await this.docker.listContainers({ all: true, filters: { label: filters } });
    return found.map((c) => ({ id: c.Id, labels: { ...c.Labels } }));
  }

  /** Removes one container by id; one already gone counts as removed. */
  removeSandbox(id: string): Promise<void> {
    return forceRemove(this.docker.getContainer(id));
  }

  /** Where this engine answers, for messages (docker-modem may hold the default socket as a function). */
  get address(): string {
    const modem = this.docker.modem as { socketPath?: unknown; host?: unknown; port?: unknown };
    if (typeof modem.socketPath === 'string') return modem.socketPath;
    if (typeof modem.host === 'string')
      return typeof modem.port === 'undefined' ? modem.host : `${modem.host}:${modem.port}`;
    return 'the default socket (/var/run/docker.sock)';
  }

  async engineCpus(): Promise<EngineCpus[]> {
    const info = (await this.docker.info()) as { NCPU?: unknown };
    return typeof info.NCPU === 'number' ? [{ engine: this.address, cpus: info.NCPU }] : [];
  }

  /** Fails with a message saying what to do when no Docker engine answers. */
  async checkEngine(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (err) {
      throw new Error(
        `no Docker engine answers at ${this.address} (${(err as Error).message}); start one, e.g. \`bash scripts/ensure-docker.sh\` as root`,
      );
    }
  }
}
