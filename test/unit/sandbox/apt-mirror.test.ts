import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  findAptMirror,
  parseDeb822Sources,
  parseSourcesList,
  pickMirror,
} from '../../../src/sandbox/apt-mirror.js';

const DEB822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main

Types: deb-src
URIs: http://src.example/debian
Suites: bookworm
`;

describe('apt mirror discovery', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  it('reads binary deb822 stanzas and skips source ones', () => {
    expect(parseDeb822Sources(DEB822)).toEqual([
      { uri: 'http://mirror.example/debian', suites: ['bookworm', 'bookworm-updates'] },
      { uri: 'http://mirror.example/debian-security', suites: ['bookworm-security'] },
    ]);
  });

  it('reads one-line sources with options and comments', () => {
    const text =
      '# comment\ndeb [arch=amd64 signed-by=/k.gpg] https://a.example/debian bookworm main\ndeb-src http://b/ bookworm main\n';
    expect(parseSourcesList(text)).toEqual([{ uri: 'https://a.example/debian', suites: ['bookworm'] }]);
  });

  it('picks the source serving the suite itself, not security or updates', () => {
    const sources = [
      { uri: 'http://sec.example/debian-security', suites: ['bookworm-security'] },
      { uri: 'http://main.example/debian', suites: ['bookworm'] },
    ];
    expect(pickMirror(sources, 'bookworm')).toBe('http://main.example/debian');
    expect(pickMirror(sources, 'trixie')).toBeUndefined();
  });

  it('finds the mirror in an apt directory and names the problem when there is none', async () => {
    const etc = await mkdtemp(join(tmpdir(), 'tb-apt-'));
    dirs.push(etc);
    await mkdir(join(etc, 'sources.list.d'));
    await writeFile(
      join(etc, 'sources.list.d', 'other.list'),
      'deb https://vendor.example/apt stable main\n',
    );
    await expect(findAptMirror('bookworm', etc)).rejects.toThrow(/TURNBENCH_APT_MIRROR/);
    await writeFile(join(etc, 'sources.list.d', 'debian.sources'), DEB822);
    await writeFile(
      join(etc, 'sources.list.d', 'ignored.sources.disabled'),
      DEB822.replace(/mirror/g, 'off'),
    );
    expect(await findAptMirror('bookworm', etc)).toBe('http://mirror.example/debian');
  });
});
