import { extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { packWorkdir, relativeTaskPath } from '../../../src/sandbox/tar-pack.js';

async function listTar(
  buf: Buffer,
): Promise<Array<{ name: string; type: string; uid: number; mode: number; body: string }>> {
  const ex = extract();
  const out: Array<{ name: string; type: string; uid: number; mode: number; body: string }> = [];
  const done = (async () => {
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      const h = entry.header;
      out.push({
        name: h.name,
        type: h.type ?? '',
        uid: h.uid ?? -1,
        mode: h.mode ?? 0,
        body: Buffer.concat(chunks).toString(),
      });
    }
  })();
  ex.end(buf);
  await done;
  return out;
}

describe('task file packing', () => {
  it('rejects absolute paths and escapes, normalises the rest', () => {
    expect(relativeTaskPath('./a/../b.txt')).toBe('b.txt');
    expect(relativeTaskPath('dir\\file.txt')).toBe('dir/file.txt');
    for (const bad of ['/etc/passwd', '../x', 'a/../../x', '.', ''])
      expect(() => relativeTaskPath(bad)).toThrow();
  });

  it('packs the workdir, parent folders and files, all owned by the sandbox user', async () => {
    const tar = await packWorkdir(
      '/home/agent/proj/',
      [
        { path: 'a/b/run.sh', content: 'echo hi\n', mode: 0o755 },
        { path: 'top.txt', content: Buffer.from('top') },
      ],
      { uid: 1000, gid: 1000 },
    );
    const entries = await listTar(tar);
    expect(entries.map((e) => [e.name, e.type, e.uid, e.mode.toString(8), e.body])).toEqual([
      ['home/agent/proj/', 'directory', 1000, '755', ''],
      ['home/agent/proj/a/', 'directory', 1000, '755', ''],
      ['home/agent/proj/a/b/', 'directory', 1000, '755', ''],
      ['home/agent/proj/a/b/run.sh', 'file', 1000, '755', 'echo hi\n'],
      ['home/agent/proj/top.txt', 'file', 1000, '644', 'top'],
    ]);
  });
});
