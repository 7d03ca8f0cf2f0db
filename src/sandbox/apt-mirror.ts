import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One apt repository line or deb822 stanza, reduced to what debootstrap needs. */
export interface AptSource {
  uri: string;
  suites: string[];
}

/** Parses deb822 `.sources` text (stanzas separated by blank lines) into binary (`deb`) sources. */
export function parseDeb822Sources(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      if (line.startsWith('#') || !line.includes(':') || /^\s/.test(line)) continue;
      const colon = line.indexOf(':');
      fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const types = (fields.get('types') ?? '').split(/\s+/);
    if (!types.includes('deb') || fields.get('enabled')?.toLowerCase() === 'no') continue;
    const suites = (fields.get('suites') ?? '').split(/\s+/).filter(Boolean);
    for (const uri of (fields.get('uris') ?? '').split(/\s+/).filter(Boolean)) sources.push({ uri, suites });
  }
  return sources;
}

/** Parses one-line-style `sources.list` text (`deb [opts] URI suite components...`). */
export function parseSourcesList(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw
      .replace(/#.*/, '')
      .replace(/\[[^\]]*\]/, ' ')
      .trim();
    const [type, uri, suite] = line.split(/\s+/);
    if (type === 'deb' && uri && suite) sources.push({ uri, suites: [suite] });
  }
  return sources;
}

/** Picks the mirror that serves `suite` itself (not -security/-updates), preferring http(s) URIs. */
export function pickMirror(sources: AptSource[], suite: string): string | undefined {
  const serving = sources.filter((s) => s.suites.includes(suite) && /^(https?|file):/.test(s.uri));
  return serving[0]?.uri;
}

/**
 * Reads the machine's apt configuration and returns the mirror serving `suite`.
 * `TURNBENCH_APT_MIRROR` overrides it (for hosts whose apt points at another distribution).
 */
export async function findAptMirror(suite: string, etcApt = '/etc/apt'): Promise<string> {
  const override = process.env.TURNBENCH_APT_MIRROR;
  if (override) return override;
  const sources: AptSource[] = [];
  const listDir = join(etcApt, 'sources.list.d');
  const entries = await readdir(listDir).catch(() => [] as string[]);
  for (const name of entries.sort()) {
    const text = await readFile(join(listDir, name), 'utf8').catch(() => '');
    if (name.endsWith('.sources')) sources.push(...parseDeb822Sources(text));
    else if (name.endsWith('.list')) sources.push(...parseSourcesList(text));
  }
  sources.push(...parseSourcesList(await readFile(join(etcApt, 'sources.list'), 'utf8').catch(() => '')));
  const mirror = pickMirror(sources, suite);
  if (!mirror) {
    throw new Error(
      `no apt source in ${etcApt} serves Debian "${suite}"; set TURNBENCH_APT_MIRROR to a Debian mirror URL`,
    );
  }
  return mirror;
}
