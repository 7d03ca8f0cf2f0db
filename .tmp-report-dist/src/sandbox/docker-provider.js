import { randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import Dockerode from 'dockerode';
import { DockerSandbox, forceRemove } from './docker-sandbox.js';
import { ensureBaseImage, SANDBOX_USER } from './image-base.js';
import { ensureDockerfileImage } from './image-dockerfile.js';
import { listTurnbenchImages } from './image-list.js';
import { imageExists } from './image-util.js';
import { packWorkdir } from './tar-pack.js';
export const RUN_LABEL = 'turnbench.run';
export const SAMPLE_LABEL = 'turnbench.sample';
/** A label value in removeByLabels meaning "the label is present, whatever its value". */
export const ANY_LABEL_VALUE = '*';
function abortError(signal) {
    return signal.reason instanceof Error ? signal.reason : new Error('sandbox creation aborted');
}
/** The container settings that lock a sandbox down (exported so tests can check them). */
export function containerConfig(spec, labels) {
    const memory = Math.round(spec.limits.memoryMb * 1024 * 1024);
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
            Ulimits: [{ Name: 'core', Soft: 0, Hard: 0 }],
            AutoRemove: false,
        },
    };
}
/** Sandboxes as Docker containers: one fresh, locked-down container per sample. */
export class DockerSandboxProvider {
    kind = 'docker';
    docker;
    baseImage;
    builds = new Map();
    constructor(opts = {}) {
        this.docker = opts.docker ?? new Dockerode();
        this.baseImage = opts.baseImage;
    }
    async create(spec, signal) {
        if (!spec.labels[RUN_LABEL])
            throw new Error(`sandbox spec needs a "${RUN_LABEL}" label`);
        if (!posix.isAbsolute(spec.workdir))
            throw new Error(`sandbox workdir "${spec.workdir}" must be absolute`);
        if (signal?.aborted)
            throw abortError(signal);
        const labels = { ...spec.labels, [SAMPLE_LABEL]: spec.labels[SAMPLE_LABEL] ?? spec.name ?? randomUUID() };
        const archive = await packWorkdir(spec.workdir, spec.files, SANDBOX_USER);
        const container = await this.docker.createContainer(containerConfig(spec, labels));
        const workdir = posix.normalize(spec.workdir);
        const sandbox = new DockerSandbox(this.docker, container, workdir, `${SANDBOX_USER.uid}:${SANDBOX_USER.gid}`);
        try {
            await container.putArchive(archive, { path: '/' });
            await container.start();
            if (signal?.aborted)
                throw abortError(signal);
            return sandbox;
        }
        catch (err) {
            await sandbox.destroy().catch(() => { });
            throw err;
        }
    }
    /** Concurrent requests for the same image share one build; later ones re-check (contexts change). */
    ensureImage(ref, onProgress = () => { }) {
        const key = JSON.stringify(ref);
        let build = this.builds.get(key);
        if (!build) {
            build = this.resolveImage(ref, onProgress).finally(() => this.builds.delete(key));
            this.builds.set(key, build);
        }
        return build;
    }
    /** Builds the base image even when it exists (`turnbench images build --force`). */
    rebuildBaseImage(onProgress = () => { }) {
        return ensureBaseImage(this.docker, onProgress, { force: true });
    }
    /** The turnbench images on this engine. */
    listImages() {
        return listTurnbenchImages(this.docker);
    }
    async resolveImage(ref, onProgress) {
        switch (ref.kind) {
            case 'base':
                return this.baseImage ? this.requireImage(this.baseImage) : ensureBaseImage(this.docker, onProgress);
            case 'named':
                return this.requireImage(ref.name);
            case 'dockerfile':
                return ensureDockerfileImage(this.docker, ref.dockerfile, ref.contextDir, onProgress);
        }
    }
    async requireImage(name) {
        if (await imageExists(this.docker, name))
            return name;
        throw new Error(`image "${name}" is not on the Docker engine and cannot be pulled offline; build it first (or use the base image)`);
    }
    async removeByLabels(labels) {
        const filters = Object.entries(labels).map(([k, v]) => (v === ANY_LABEL_VALUE ? k : `${k}=${v}`));
        if (filters.length === 0)
            throw new Error('removeByLabels needs at least one label');
        const found = await this.docker.listContainers({ all: true, filters: { label: filters } });
        await Promise.all(found.map((c) => forceRemove(this.docker.getContainer(c.Id))));
        return found.length;
    }
}
//# sourceMappingURL=docker-provider.js.map