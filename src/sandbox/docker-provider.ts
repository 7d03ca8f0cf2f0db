import { randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import type Dockerode from 'dockerode';
import PQueue from 'p-queue';
import { diagnoseFailure, pingEngine } from './docker-diagnose.js';
import { DockerSandbox, forceRemove } from './docker-sandbox.js';
import { dockerodeClass } from './dockerode-lazy.js';
import { ensureBaseImage, SANDBOX_USER } from './image-base.js';
import { ensureDockerfileImage } from './image-dockerfile.js';
import { type ImageSummary, listTurnbenchImages } from './image-list.js';
import { imageExists } from './image-util.js';
import { ANY_LABEL_VALUE, ownerLabels, RUN_LABEL, SAMPLE_LABEL } from './labels.js';
import { packFiles } from './tar-pack.js';
import {
  DEFAULT_DISK_MB,
  type EngineCpus,
  ImageNotFoundError,
  type ImageProgress,
  type ImageRequest,
  type Sandbox,
  type SandboxProvider,
  type SandboxSpec,
} from './types.js';

const REMOVE_CONCURRENCY = 8;

export interface DockerSandboxProviderOptions {
  docker?: Dockerode;
  /** Image used for `{ kind: 'base' }` instead of building the debootstrap one. */
  baseImage?: string;
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('sandbox creation aborted');
}

const MB = 1024 * 1024;

/** Mount options of a tmpfs the sandbox user owns: writable, capped, in memory. */
function userTmpfs(sizeMb: number): string {
  return `rw,exec,nosuid,nodev,mode=0755,uid=${SANDBOX_USER.uid},gid=${SANDBOX_USER.gid},size=${sizeMb}m`;
}

/**
 * The container settings that lock a sandbox down. The root filesystem is read-only; what the
 * sandbox may write lives in size-capped tmpfs mounts (the working directory and HOME: `diskMb`
 * each; /tmp: half the memory), so nothing it writes reaches the engine's disk, on any storage
 * driver. PID 1 (the init and its `sleep`) runs as root, out of the sandbox user's reach: the agent
 * cannot stop its own container, and a kill of all the user's processes leaves it running.
 */
export function containerConfig(
  spec: SandboxSpec,
  labels: Record<string, string>,
): Dockerode.ContainerCreateOptions {
  const workdir = posix.normalize(spec.workdir);
  if (workdir === '/') throw new Error('the sandbox working directory cannot be /');
  const memory = Math.round(spec.limits.memoryMb * MB);
  const diskMb = Math.max(1, Math.ceil(spec.limits.diskMb ?? DEFAULT_DISK_MB));
  return {
    Image: spec.image,
    ...(spec.name ? { name: spec.name } : {}),
    Cmd: ['sleep', 'infinity'],
    User: '0:0',
    WorkingDir: workdir,
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
      ReadonlyRootfs: true,
      Tmpfs: {
        '/tmp': `rw,nosuid,nodev,mode=1777,size=${Math.max(16, Math.floor(spec.limits.memoryMb / 2))}m`,
        [SANDBOX_USER.home]: userTmpfs(diskMb),
        [workdir]: userTmpfs(diskMb),
      },
      Ulimits: [
        { Name: 'core', Soft: 0, Hard: 0 },
        { Name: 'fsize', Soft: diskMb * MB, Hard: diskMb * MB },
      ],
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

  constructor(opts: DockerSandboxProviderOptions = {}) {
    this.docker = opts.docker ?? new (dockerodeClass())();
    this.baseImage = opts.baseImage;
  }

  async create(spec: SandboxSpec, signal?: AbortSignal): Promise<Sandbox> {
    if (!spec.labels[RUN_LABEL]) throw new Error(`sandbox spec needs a "${RUN_LABEL}" label`);
    if (!posix.isAbsolute(spec.workdir))
      throw new Error(`sandbox workdir "${spec.workdir}" must be absolute`);
    if (signal?.aborted) throw abortError(signal);
    const labels = {
      ...ownerLabels(),
      ...spec.labels,
      [SAMPLE_LABEL]: spec.labels[SAMPLE_LABEL] ?? spec.name ?? randomUUID(),
    };
    // Packed first: a file that would leave the working directory fails before any container.
    const archive = spec.files.length > 0 ? await packFiles(spec.files, SANDBOX_USER) : null;
    let container: Dockerode.Container;
    try {
      container = await this.docker.createContainer(containerConfig(spec, labels));
    } catch (err) {
      throw await diagnoseFailure(this.docker, null, err);
    }
    const sandbox = new DockerSandbox(this.docker, container, posix.normalize(spec.workdir), SANDBOX_USER);
    try {
      await container.start();
      // A fresh working directory has nothing to replace (and a long file list would not fit in argv).
      if (archive) await sandbox.putArchive(archive, []);
      if (signal?.aborted) throw abortError(signal);
      return sandbox;
    } catch (err) {
      const failure = signal?.aborted ? err : await diagnoseFailure(this.docker, container, err);
      await sandbox.destroy().catch(() => {});
      throw failure;
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
    const err = await pingEngine(this.docker);
    if (!err) return;
    throw new Error(
      `no Docker engine answers at ${this.address} (${err.message}); start one, e.g. \`bash scripts/ensure-docker.sh\` as root`,
    );
  }
}
