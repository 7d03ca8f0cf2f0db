import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  try {
    const file = require.resolve(`${name}/package.json`);
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function findOwnVersion(): string {
  for (const candidate of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'turnbench' && pkg.version) return pkg.version;
    } catch {
      // try the next layout (src/ under vitest, dist/src/ after a build)
    }
  }
  return 'unknown';
}

let own: string | null = null;
/** turnbench's own version alone: no package resolution (the CLI asks for it at every start). */
export function turnbenchVersion(): string {
  own ??= findOwnVersion();
  return own;
}

export function versions(): { turnbench: string; node: string; openai: string } {
  return { turnbench: turnbenchVersion(), node: process.version, openai: packageVersion('openai') };
}
