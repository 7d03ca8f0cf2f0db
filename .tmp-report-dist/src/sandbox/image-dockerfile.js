import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { imageExists } from './image-util.js';
/** Every file, folder and link of a build context, in a stable order. */
async function readContext(contextDir) {
    const names = (await readdir(contextDir, { recursive: true })).map(String).sort();
    const entries = [];
    for (const name of names) {
        const full = join(contextDir, name);
        const info = await lstat(full);
        const rel = name.split(sep).join('/');
        const mode = info.mode & 0o777;
        if (info.isSymbolicLink())
            entries.push({ name: rel, mode, kind: 'symlink', target: await readlink(full) });
        else if (info.isFile())
            entries.push({ name: rel, mode, kind: 'file', body: await readFile(full) });
        else if (info.isDirectory())
            entries.push({ name: rel, mode, kind: 'directory' });
    }
    return entries;
}
/** Hash of a build context (paths, modes, contents, link targets) and the Dockerfile's path in it. */
export function hashContext(entries, dockerfile) {
    const hash = createHash('sha256').update(`dockerfile:${dockerfile}\n`);
    for (const e of entries) {
        hash.update(`${e.kind}:${e.name}:${e.mode}:${e.target ?? ''}:${e.body?.length ?? 0}\n`);
        if (e.body)
            hash.update(e.body);
    }
    return hash.digest('hex').slice(0, 12);
}
async function tarContext(entries) {
    const tar = pack();
    const chunks = [];
    const collected = (async () => {
        for await (const chunk of tar)
            chunks.push(chunk);
    })();
    for (const e of entries) {
        if (e.kind === 'symlink')
            tar.entry({ name: e.name, type: 'symlink', linkname: e.target ?? '', mode: e.mode });
        else if (e.kind === 'directory')
            tar.entry({ name: `${e.name}/`, type: 'directory', mode: e.mode });
        else
            tar.entry({ name: e.name, mode: e.mode }, e.body ?? Buffer.alloc(0));
    }
    tar.finalize();
    await collected;
    return Buffer.concat(chunks);
}
function repoName(contextDir) {
    const name = basename(resolve(contextDir))
        .toLowerCase()
        .replace(/[^a-z0-9._-]+/g, '-')
        .replace(/^[^a-z0-9]+/, '');
    return `turnbench/task-${name || 'image'}`;
}
/**
 * Builds a task's Dockerfile (tagged by a hash of its context, so an unchanged context is built
 * once) and returns the tag. Base images must already be local: nothing is pulled.
 */
export async function ensureDockerfileImage(docker, dockerfile, contextDir, progress) {
    const context = resolve(contextDir);
    const dockerfilePath = isAbsolute(dockerfile) ? dockerfile : join(context, dockerfile);
    const rel = relative(context, dockerfilePath).split(sep).join('/');
    if (rel.startsWith('..') || isAbsolute(rel)) {
        throw new Error(`Dockerfile ${dockerfilePath} must be inside its build context ${context}`);
    }
    await lstat(dockerfilePath).catch(() => {
        throw new Error(`Dockerfile not found: ${dockerfilePath}`);
    });
    const entries = await readContext(context);
    const tag = `${repoName(context)}:${hashContext(entries, rel)}`;
    if (await imageExists(docker, tag))
        return tag;
    progress(`building ${tag} from ${dockerfilePath}`);
    const stream = await docker.buildImage(Readable.from([await tarContext(entries)]), {
        t: tag,
        dockerfile: rel,
        rm: true,
        forcerm: true,
    });
    const failures = [];
    await new Promise((done, fail) => docker.modem.followProgress(stream, (err) => (err ? fail(err) : done()), (event) => {
        const line = (event.stream ?? event.status ?? '').trimEnd();
        if (line)
            for (const l of line.split('\n'))
                progress(l);
        if (event.error)
            failures.push(event.errorDetail?.message ?? event.error);
    }));
    if (failures.length > 0)
        throw new Error(`building ${dockerfilePath} failed: ${failures.join('; ')}`);
    if (!(await imageExists(docker, tag)))
        throw new Error(`building ${dockerfilePath} produced no image ${tag}`);
    return tag;
}
//# sourceMappingURL=image-dockerfile.js.map