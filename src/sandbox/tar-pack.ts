import { posix } from 'node:path';
import { pack } from 'tar-stream';
import { relativeTaskPath } from './task-path.js';
import type { SandboxFile } from './types.js';

export interface Owner {
  uid: number;
  gid: number;
}

// Kept here too for the modules that pack files; the local sandbox imports it from task-path.ts.
export { relativeTaskPath };

/** A tar of the files (paths relative to the folder it is extracted in), owned by `owner`. */
export function packFiles(files: SandboxFile[], owner: Owner): Promise<Buffer> {
  return packWorkdir('/', files, owner);
}

/**
 * A tar (to extract at `/`) holding the working directory itself, the task files and their
 * parent folders, everything owned by `owner`.
 */
export async function packWorkdir(workdir: string, files: SandboxFile[], owner: Owner): Promise<Buffer> {
  const root = posix.normalize(workdir).replace(/^\/+/, '').replace(/\/+$/, '');
  const prefix = root ? `${root}/` : '';
  const dirs = new Set<string>();
  const entries: Array<{ name: string; body: Buffer; mode: number }> = [];
  for (const file of files) {
    const rel = relativeTaskPath(file.path);
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    const body = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content;
    entries.push({ name: `${prefix}${rel}`, body, mode: file.mode ?? 0o644 });
  }
  const tar = pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of tar) chunks.push(chunk as Buffer);
  })();
  const stamp = new Date();
  const ids = { uid: owner.uid, gid: owner.gid };
  if (root) tar.entry({ name: `${root}/`, type: 'directory', mode: 0o755, mtime: stamp, ...ids });
  for (const dir of [...dirs].sort()) {
    tar.entry({ name: `${prefix}${dir}/`, type: 'directory', mode: 0o755, mtime: stamp, ...ids });
  }
  for (const e of entries) tar.entry({ name: e.name, mode: e.mode, mtime: stamp, ...ids }, e.body);
  tar.finalize();
  await collected;
  return Buffer.concat(chunks);
}
