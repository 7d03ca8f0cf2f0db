import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
function packageVersion(name) {
    try {
        const file = require.resolve(`${name}/package.json`);
        return JSON.parse(readFileSync(file, 'utf8')).version ?? 'unknown';
    }
    catch {
        return 'unknown';
    }
}
let own = null;
function turnbenchVersion() {
    if (own)
        return own;
    for (const candidate of ['../../package.json', '../../../package.json']) {
        try {
            const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8'));
            if (pkg.name === 'turnbench' && pkg.version)
                return (own = pkg.version);
        }
        catch {
            // try the next layout (src/ under vitest, dist/src/ after a build)
        }
    }
    return (own = 'unknown');
}
export function versions() {
    return { turnbench: turnbenchVersion(), node: process.version, openai: packageVersion('openai') };
}
//# sourceMappingURL=versions.js.map