import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { findAptMirror } from './apt-mirror.js';
import { withFileLock } from './file-lock.js';
import { imageExists, tagImage } from './image-util.js';
import { spawnLines } from './spawn-lines.js';
import type { ImageProgress } from './types.js';

export const BASE_IMAGE_REPO = 'turnbench/base';
export const SANDBOX_USER = { name: 'agent', uid: 1000, gid: 1000, home: '/home/agent' } as const;
export const DEFAULT_WORKDIR = '/workspace';

/** Everything that decides the image's content; its hash is the image tag. */
export const BASE_RECIPE = {
  version: 2,
  suite: 'bookworm',
  variant: 'minbase',
  packages: [
    'python3',
    'git',
    'coreutils',
    'bash',
    'patch',
    'procps',
    'findutils',
    'grep',
    'sed',
    'diffutils',
    'ca-certificates',
    // Agent runs (agent: codex | command): carries the agent's loopback connections to the
    // recording proxy's unix socket, the sandbox having no network.
    'socat',
  ],
  setup: [
    `groupadd -g ${SANDBOX_USER.gid} ${SANDBOX_USER.name}`,
    `useradd -m -d ${SANDBOX_USER.home} -u ${SANDBOX_USER.uid} -g ${SANDBOX_USER.gid} -s /bin/bash ${SANDBOX_USER.name}`,
    `mkdir -p ${DEFAULT_WORKDIR}`,
    `chown ${SANDBOX_USER.uid}:${SANDBOX_USER.gid} ${DEFAULT_WORKDIR}`,
    'apt-get clean',
    'rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/*.log',
  ],
  changes: [
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'ENV LANG=C.UTF-8',
    `USER ${SANDBOX_USER.uid}:${SANDBOX_USER.gid}`,
    `WORKDIR ${DEFAULT_WORKDIR}`,
    'CMD ["sleep", "infinity"]',
  ],
} as const;

export function baseImageTag(): string {
  const hash = createHash('sha256').update(JSON.stringify(BASE_RECIPE)).digest('hex').slice(0, 12);
  return `${BASE_IMAGE_REPO}:${hash}`;
}

/** Unmounts anything debootstrap left mounted under `dir` (deepest first), so removing it is safe. */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = (await readFile('/proc/self/mounts', 'utf8').catch(() => ''))
    .split('\n')
    .map((line) => line.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((m): m is string => !!m && (m === dir || m.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await spawnLines('umount', ['-l', m], () => {}).catch(() => {});
}

async function importRootfs(docker: Dockerode, dir: string, tag: string): Promise<void> {
  const [repo, version] = tag.split(':') as [string, string];
  const tar = spawn(
    'tar',
    ['--numeric-owner', '--exclude=./dev/*', '--exclude=./proc/*', '--exclude=./sys/*', '-C', dir, '-c', '.'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let tarErr = '';
  tar.stderr.on('data', (d: Buffer) => {
    tarErr += d.toString();
  });
  const tarDone = new Promise<void>((resolve, reject) => {
    tar.on('error', reject);
    tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar failed: ${tarErr.trim()}`))));
  });
  const stream = await docker.importImage(tar.stdout, {
    repo,
    tag: version,
    changes: [...BASE_RECIPE.changes],
  });
  const events: Array<{ error?: string; status?: string }> = await new Promise((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, out: Array<{ error?: string }>) =>
      err ? reject(err) : resolve(out),
    ),
  );
  await tarDone;
  const failed = events.find((e) => e.error);
  if (failed) throw new Error(`docker import failed: ${failed.error}`);
}

async function checkPrerequisites(): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'building the base image needs root (debootstrap + chroot); run `turnbench images build` as root',
    );
  }
  const found = await Promise.any(
    ['/usr/sbin/debootstrap', '/usr/bin/debootstrap', '/sbin/debootstrap'].map((p) => access(p)),
  ).then(
    () => true,
    () => false,
  );
  if (!found)
    throw new Error(
      'debootstrap is not installed; run scripts/ensure-docker.sh or `apt-get install debootstrap`',
    );
}

async function buildBaseImage(docker: Dockerode, tag: string, progress: ImageProgress): Promise<void> {
  await checkPrerequisites();
  const mirror = await findAptMirror(BASE_RECIPE.suite);
  const dir = await mkdtemp(join(tmpdir(), 'turnbench-rootfs-'));
  try {
    progress(`debootstrap ${BASE_RECIPE.suite} from ${mirror} (this takes a minute or two)`);
    await spawnLines(
      'debootstrap',
      [
        `--variant=${BASE_RECIPE.variant}`,
        `--include=${BASE_RECIPE.packages.join(',')}`,
        BASE_RECIPE.suite,
        dir,
        mirror,
      ],
      (line) => progress(`debootstrap: ${line}`),
    );
    progress('creating the sandbox user');
    await spawnLines('chroot', [dir, '/bin/sh', '-ec', BASE_RECIPE.setup.join('\n')], (line) =>
      progress(`setup: ${line}`),
    );
    await unmountUnder(dir);
    progress(`importing ${tag}`);
    await importRootfs(docker, dir, tag);
  } finally {
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Makes sure the offline base image exists (built once per machine: debootstrap of a minimal
 * Debian, a non-root `agent` user, `docker import`), tags it `latest` too, and returns its tag.
 */
export async function ensureBaseImage(
  docker: Dockerode,
  progress: ImageProgress,
  opts: { force?: boolean } = {},
): Promise<string> {
  const tag = baseImageTag();
  if (!opts.force && (await imageExists(docker, tag))) return tag;
  const lockDir = join(tmpdir(), 'turnbench-base-image.lock');
  await withFileLock(
    lockDir,
    (pid) => progress(`waiting for another base image build (pid ${pid})`),
    async () => {
      if (!opts.force && (await imageExists(docker, tag))) return;
      const started = Date.now();
      await buildBaseImage(docker, tag, progress);
      progress(`built ${tag} in ${Math.round((Date.now() - started) / 1000)} s`);
    },
  );
  await tagImage(docker, tag, `${BASE_IMAGE_REPO}:latest`);
  return tag;
}
