import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
/** Parses deb822 `.sources` text (stanzas separated by blank lines) into binary (`deb`) sources. */
export function parseDeb822Sources(text) {
    const sources = [];
    for (const stanza of text.split(/\n\s*\n/)) {
        const fields = new Map();
        for (const line of stanza.split('\n')) {
            if (line.startsWith('#') || !line.includes(':') || /^\s/.test(line))
                continue;
            const colon = line.indexOf(':');
            fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
        }
        const types = (fields.get('types') ?? '').split(/\s+/);
        if (!types.includes('deb') || fields.get('enabled')?.toLowerCase() === 'no')
            continue;
        const suites = (fields.get('suites') ?? '').split(/\s+/).filter(Boolean);
        for (const uri of (fields.get('uris') ?? '').split(/\s+/).filter(Boolean))
            sources.push({ uri, suites });
    }
    return sources;
}
/** Parses one-line-style `sources.list` text (`deb [opts] URI suite components...`). */
export function parseSourcesList(text) {
    const sources = [];
    for (const raw of text.split('\n')) {
        const line = raw
            .replace(/#.*/, '')
            .replace(/\[[^\]]*\]/, ' ')
            .trim();
        const [type, uri, suite] = line.split(/\s+/);
        if (type === 'deb' && uri && suite)
            sources.push({ uri, suites: [suite] });
    }
    return sources;
}
/** Picks the mirror that serves `suite` itself (not -security/-updates), preferring http(s) URIs. */
export function pickMirror(sources, suite) {
    const serving = sources.filter((s) => s.suites.includes(suite) && /^(https?|file):/.test(s.uri));
    return serving[0]?.uri;
}
/**
 * Reads the machine's apt configuration and returns the mirror serving `suite`.
 * `TURNBENCH_APT_MIRROR` overrides it (for hosts whose apt points at another distribution).
 */
export async function findAptMirror(suite, etcApt = '/etc/apt') {
    const override = process.env.TURNBENCH_APT_MIRROR;
    if (override)
        return override;
    const sources = [];
    const listDir = join(etcApt, 'sources.list.d');
    const entries = await readdir(listDir).catch(() => []);
    for (const name of entries.sort()) {
        const text = await readFile(join(listDir, name), 'utf8').catch(() => '');
        if (name.endsWith('.sources'))
            sources.push(...parseDeb822Sources(text));
        else if (name.endsWith('.list'))
            sources.push(...parseSourcesList(text));
    }
    sources.push(...parseSourcesList(await readFile(join(etcApt, 'sources.list'), 'utf8').catch(() => '')));
    const mirror = pickMirror(sources, suite);
    if (!mirror) {
        throw new Error(`no apt source in ${etcApt} serves Debian "${suite}"; set TURNBENCH_APT_MIRROR to a Debian mirror URL`);
    }
    return mirror;
}
//# sourceMappingURL=apt-mirror.js.map